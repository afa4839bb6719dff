from dbkit import *  # noqa: F403  (the shared database fixtures)
