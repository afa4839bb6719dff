"""The held-out sets (tests/engine/heldout/), first scored before any change to the reader
(the figures in their README), now guard against going back: no emergency is ever answered
with self care, and the only answers less urgent than the reference are the known ones below,
each with why it is still missed. A new under-triage fails; a fixed one asks to be struck."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from needlesafe.engine.inputs import parse_checkin
from needlesafe.engine.triage import disposition_rank, triage
from needlesafe.knowledge.base import Knowledge

HELDOUT = Path(__file__).parent / "heldout"
# Sets 1-3: the reader learnt from them. Set 4 was long held out (scored, never tested on); it
# has since been learnt from like the rest (see heldout/README.md).
# Sets 4-559 were each scored first (heldout/README.md), then learnt from: all but 61, 274 and
# 512 now guard. Sets 61, 274 and 512 are scored, not guarded: most of their messages are wholly
# in Spanish, French, Tagalog, Hindi or Arabic (61), in Tagalog, Bisaya or Ilocano (274) in Latin
# letters, or in Solomon Islands Pijin and Bislama (512), and the reader reads English (their
# unread parts go to the clinic, never home: see heldout/README.md).
SETS = [
    HELDOUT / name
    for name in (
        "lay_heldout.yaml",
        "lay_heldout_2.yaml",
        "lay_heldout_3.yaml",
        "lay_heldout_4.yaml",
        "lay_heldout_5.yaml",
        "lay_heldout_6.yaml",
        "lay_heldout_7.yaml",
        "lay_heldout_8.yaml",
        "lay_heldout_9.yaml",
        "lay_heldout_10.yaml",
        "lay_heldout_11.yaml",
        "lay_heldout_12.yaml",
        "lay_heldout_13.yaml",
        "lay_heldout_14.yaml",
        "lay_heldout_15.yaml",
        "lay_heldout_16.yaml",
        "lay_heldout_17.yaml",
        "lay_heldout_18.yaml",
        "lay_heldout_19.yaml",
        "lay_heldout_20.yaml",
        "lay_heldout_21.yaml",
        "lay_heldout_22.yaml",
        "lay_heldout_23.yaml",
        "lay_heldout_24.yaml",
        "lay_heldout_25.yaml",
        "lay_heldout_26.yaml",
        "lay_heldout_27.yaml",
        "lay_heldout_28.yaml",
        "lay_heldout_29.yaml",
        "lay_heldout_30.yaml",
        "lay_heldout_31.yaml",
        "lay_heldout_32.yaml",
        "lay_heldout_33.yaml",
        "lay_heldout_34.yaml",
        "lay_heldout_35.yaml",
        "lay_heldout_36.yaml",
        "lay_heldout_37.yaml",
        "lay_heldout_38.yaml",
        "lay_heldout_39.yaml",
        "lay_heldout_40.yaml",
        "lay_heldout_41.yaml",
        "lay_heldout_42.yaml",
        "lay_heldout_43.yaml",
        "lay_heldout_44.yaml",
        "lay_heldout_45.yaml",
        "lay_heldout_46.yaml",
        "lay_heldout_47.yaml",
        "lay_heldout_48.yaml",
        "lay_heldout_49.yaml",
        "lay_heldout_50.yaml",
        "lay_heldout_51.yaml",
        "lay_heldout_52.yaml",
        "lay_heldout_53.yaml",
        "lay_heldout_54.yaml",
        "lay_heldout_55.yaml",
        "lay_heldout_56.yaml",
        "lay_heldout_57.yaml",
        "lay_heldout_58.yaml",
        "lay_heldout_59.yaml",
        "lay_heldout_60.yaml",
        "lay_heldout_62.yaml",
        "lay_heldout_63.yaml",
        "lay_heldout_64.yaml",
        "lay_heldout_65.yaml",
        "lay_heldout_66.yaml",
        "lay_heldout_67.yaml",
        "lay_heldout_68.yaml",
        "lay_heldout_69.yaml",
        "lay_heldout_70.yaml",
        "lay_heldout_71.yaml",
        "lay_heldout_72.yaml",
        "lay_heldout_73.yaml",
        "lay_heldout_74.yaml",
        "lay_heldout_75.yaml",
        "lay_heldout_76.yaml",
        "lay_heldout_77.yaml",
        "lay_heldout_78.yaml",
        "lay_heldout_79.yaml",
        "lay_heldout_80.yaml",
        "lay_heldout_81.yaml",
        "lay_heldout_82.yaml",
        "lay_heldout_83.yaml",
        "lay_heldout_84.yaml",
        "lay_heldout_85.yaml",
        "lay_heldout_86.yaml",
        "lay_heldout_87.yaml",
        "lay_heldout_88.yaml",
        "lay_heldout_89.yaml",
        "lay_heldout_90.yaml",
        "lay_heldout_91.yaml",
        "lay_heldout_92.yaml",
        "lay_heldout_93.yaml",
        "lay_heldout_94.yaml",
        "lay_heldout_95.yaml",
        "lay_heldout_96.yaml",
        "lay_heldout_97.yaml",
        "lay_heldout_98.yaml",
        "lay_heldout_99.yaml",
        "lay_heldout_100.yaml",
        "lay_heldout_101.yaml",
        "lay_heldout_102.yaml",
        "lay_heldout_103.yaml",
        "lay_heldout_104.yaml",
        "lay_heldout_105.yaml",
        "lay_heldout_106.yaml",
        "lay_heldout_107.yaml",
        "lay_heldout_108.yaml",
        "lay_heldout_109.yaml",
        "lay_heldout_110.yaml",
        "lay_heldout_111.yaml",
        "lay_heldout_112.yaml",
        "lay_heldout_113.yaml",
        "lay_heldout_114.yaml",
        "lay_heldout_115.yaml",
        "lay_heldout_116.yaml",
        "lay_heldout_117.yaml",
        "lay_heldout_118.yaml",
        "lay_heldout_119.yaml",
        "lay_heldout_120.yaml",
        "lay_heldout_121.yaml",
        "lay_heldout_122.yaml",
        "lay_heldout_123.yaml",
        "lay_heldout_124.yaml",
        "lay_heldout_125.yaml",
        "lay_heldout_126.yaml",
        "lay_heldout_127.yaml",
        "lay_heldout_128.yaml",
        "lay_heldout_129.yaml",
        "lay_heldout_130.yaml",
        "lay_heldout_131.yaml",
        "lay_heldout_132.yaml",
        "lay_heldout_133.yaml",
        "lay_heldout_134.yaml",
        "lay_heldout_135.yaml",
        "lay_heldout_136.yaml",
        "lay_heldout_137.yaml",
        "lay_heldout_138.yaml",
        "lay_heldout_139.yaml",
        "lay_heldout_140.yaml",
        "lay_heldout_141.yaml",
        "lay_heldout_142.yaml",
        "lay_heldout_143.yaml",
        "lay_heldout_144.yaml",
        "lay_heldout_145.yaml",
        "lay_heldout_146.yaml",
        "lay_heldout_147.yaml",
        "lay_heldout_148.yaml",
        "lay_heldout_149.yaml",
        "lay_heldout_150.yaml",
        "lay_heldout_151.yaml",
        "lay_heldout_152.yaml",
        "lay_heldout_153.yaml",
        "lay_heldout_154.yaml",
        "lay_heldout_155.yaml",
        "lay_heldout_156.yaml",
        "lay_heldout_157.yaml",
        "lay_heldout_158.yaml",
        "lay_heldout_159.yaml",
        "lay_heldout_160.yaml",
        "lay_heldout_161.yaml",
        "lay_heldout_162.yaml",
        "lay_heldout_163.yaml",
        "lay_heldout_164.yaml",
        "lay_heldout_165.yaml",
        "lay_heldout_166.yaml",
        "lay_heldout_167.yaml",
        "lay_heldout_168.yaml",
        "lay_heldout_169.yaml",
        "lay_heldout_170.yaml",
        "lay_heldout_171.yaml",
        "lay_heldout_172.yaml",
        "lay_heldout_173.yaml",
        "lay_heldout_174.yaml",
        "lay_heldout_175.yaml",
        "lay_heldout_176.yaml",
        "lay_heldout_177.yaml",
        "lay_heldout_178.yaml",
        "lay_heldout_179.yaml",
        "lay_heldout_180.yaml",
        "lay_heldout_181.yaml",
        "lay_heldout_182.yaml",
        "lay_heldout_183.yaml",
        "lay_heldout_184.yaml",
        "lay_heldout_185.yaml",
        "lay_heldout_186.yaml",
        "lay_heldout_187.yaml",
        "lay_heldout_188.yaml",
        "lay_heldout_189.yaml",
        "lay_heldout_190.yaml",
        "lay_heldout_191.yaml",
        "lay_heldout_192.yaml",
        "lay_heldout_193.yaml",
        "lay_heldout_194.yaml",
        "lay_heldout_195.yaml",
        "lay_heldout_196.yaml",
        "lay_heldout_197.yaml",
        "lay_heldout_198.yaml",
        "lay_heldout_199.yaml",
        "lay_heldout_200.yaml",
        "lay_heldout_201.yaml",
        "lay_heldout_202.yaml",
        "lay_heldout_203.yaml",
        "lay_heldout_204.yaml",
        "lay_heldout_205.yaml",
        "lay_heldout_206.yaml",
        "lay_heldout_207.yaml",
        "lay_heldout_208.yaml",
        "lay_heldout_209.yaml",
        "lay_heldout_210.yaml",
        "lay_heldout_211.yaml",
        "lay_heldout_212.yaml",
        "lay_heldout_213.yaml",
        "lay_heldout_214.yaml",
        "lay_heldout_215.yaml",
        "lay_heldout_216.yaml",
        "lay_heldout_217.yaml",
        "lay_heldout_218.yaml",
        "lay_heldout_219.yaml",
        "lay_heldout_220.yaml",
        "lay_heldout_221.yaml",
        "lay_heldout_222.yaml",
        "lay_heldout_223.yaml",
        "lay_heldout_224.yaml",
        "lay_heldout_225.yaml",
        "lay_heldout_226.yaml",
        "lay_heldout_227.yaml",
        "lay_heldout_228.yaml",
        "lay_heldout_229.yaml",
        "lay_heldout_230.yaml",
        "lay_heldout_231.yaml",
        "lay_heldout_232.yaml",
        "lay_heldout_233.yaml",
        "lay_heldout_234.yaml",
        "lay_heldout_235.yaml",
        "lay_heldout_236.yaml",
        "lay_heldout_237.yaml",
        "lay_heldout_238.yaml",
        "lay_heldout_239.yaml",
        "lay_heldout_240.yaml",
        "lay_heldout_241.yaml",
        "lay_heldout_242.yaml",
        "lay_heldout_243.yaml",
        "lay_heldout_244.yaml",
        "lay_heldout_245.yaml",
        "lay_heldout_246.yaml",
        "lay_heldout_247.yaml",
        "lay_heldout_248.yaml",
        "lay_heldout_249.yaml",
        "lay_heldout_250.yaml",
        "lay_heldout_251.yaml",
        "lay_heldout_252.yaml",
        "lay_heldout_253.yaml",
        "lay_heldout_254.yaml",
        "lay_heldout_255.yaml",
        "lay_heldout_256.yaml",
        "lay_heldout_257.yaml",
        "lay_heldout_258.yaml",
        "lay_heldout_259.yaml",
        "lay_heldout_260.yaml",
        "lay_heldout_261.yaml",
        "lay_heldout_262.yaml",
        "lay_heldout_263.yaml",
        "lay_heldout_264.yaml",
        "lay_heldout_265.yaml",
        "lay_heldout_266.yaml",
        "lay_heldout_267.yaml",
        "lay_heldout_268.yaml",
        "lay_heldout_269.yaml",
        "lay_heldout_270.yaml",
        "lay_heldout_271.yaml",
        "lay_heldout_272.yaml",
        "lay_heldout_273.yaml",
        "lay_heldout_275.yaml",
        "lay_heldout_276.yaml",
        "lay_heldout_277.yaml",
        "lay_heldout_278.yaml",
        "lay_heldout_279.yaml",
        "lay_heldout_280.yaml",
        "lay_heldout_281.yaml",
        "lay_heldout_282.yaml",
        "lay_heldout_283.yaml",
        "lay_heldout_284.yaml",
        "lay_heldout_285.yaml",
        "lay_heldout_286.yaml",
        "lay_heldout_287.yaml",
        "lay_heldout_288.yaml",
        "lay_heldout_289.yaml",
        "lay_heldout_290.yaml",
        "lay_heldout_291.yaml",
        "lay_heldout_292.yaml",
        "lay_heldout_293.yaml",
        "lay_heldout_294.yaml",
        "lay_heldout_295.yaml",
        "lay_heldout_296.yaml",
        "lay_heldout_297.yaml",
        "lay_heldout_298.yaml",
        "lay_heldout_299.yaml",
        "lay_heldout_300.yaml",
        "lay_heldout_301.yaml",
        "lay_heldout_302.yaml",
        "lay_heldout_303.yaml",
        "lay_heldout_304.yaml",
        "lay_heldout_305.yaml",
        "lay_heldout_306.yaml",
        "lay_heldout_307.yaml",
        "lay_heldout_308.yaml",
        "lay_heldout_309.yaml",
        "lay_heldout_310.yaml",
        "lay_heldout_311.yaml",
        "lay_heldout_312.yaml",
        "lay_heldout_313.yaml",
        "lay_heldout_314.yaml",
        "lay_heldout_315.yaml",
        "lay_heldout_316.yaml",
        "lay_heldout_317.yaml",
        "lay_heldout_318.yaml",
        "lay_heldout_319.yaml",
        "lay_heldout_320.yaml",
        "lay_heldout_321.yaml",
        "lay_heldout_322.yaml",
        "lay_heldout_323.yaml",
        "lay_heldout_324.yaml",
        "lay_heldout_325.yaml",
        "lay_heldout_326.yaml",
        "lay_heldout_327.yaml",
        "lay_heldout_328.yaml",
        "lay_heldout_329.yaml",
        "lay_heldout_330.yaml",
        "lay_heldout_331.yaml",
        "lay_heldout_332.yaml",
        "lay_heldout_333.yaml",
        "lay_heldout_334.yaml",
        "lay_heldout_335.yaml",
        "lay_heldout_336.yaml",
        "lay_heldout_337.yaml",
        "lay_heldout_338.yaml",
        "lay_heldout_339.yaml",
        "lay_heldout_340.yaml",
        "lay_heldout_341.yaml",
        "lay_heldout_342.yaml",
        "lay_heldout_343.yaml",
        "lay_heldout_344.yaml",
        "lay_heldout_345.yaml",
        "lay_heldout_346.yaml",
        "lay_heldout_347.yaml",
        "lay_heldout_348.yaml",
        "lay_heldout_349.yaml",
        "lay_heldout_350.yaml",
        "lay_heldout_351.yaml",
        "lay_heldout_352.yaml",
        "lay_heldout_353.yaml",
        "lay_heldout_354.yaml",
        "lay_heldout_355.yaml",
        "lay_heldout_356.yaml",
        "lay_heldout_357.yaml",
        "lay_heldout_358.yaml",
        "lay_heldout_359.yaml",
        "lay_heldout_360.yaml",
        "lay_heldout_361.yaml",
        "lay_heldout_362.yaml",
        "lay_heldout_363.yaml",
        "lay_heldout_364.yaml",
        "lay_heldout_365.yaml",
        "lay_heldout_366.yaml",
        "lay_heldout_367.yaml",
        "lay_heldout_368.yaml",
        "lay_heldout_369.yaml",
        "lay_heldout_370.yaml",
        "lay_heldout_371.yaml",
        "lay_heldout_372.yaml",
        "lay_heldout_373.yaml",
        "lay_heldout_374.yaml",
        "lay_heldout_375.yaml",
        "lay_heldout_376.yaml",
        "lay_heldout_377.yaml",
        "lay_heldout_378.yaml",
        "lay_heldout_379.yaml",
        "lay_heldout_380.yaml",
        "lay_heldout_381.yaml",
        "lay_heldout_382.yaml",
        "lay_heldout_383.yaml",
        "lay_heldout_384.yaml",
        "lay_heldout_385.yaml",
        "lay_heldout_386.yaml",
        "lay_heldout_387.yaml",
        "lay_heldout_388.yaml",
        "lay_heldout_389.yaml",
        "lay_heldout_390.yaml",
        "lay_heldout_391.yaml",
        "lay_heldout_392.yaml",
        "lay_heldout_393.yaml",
        "lay_heldout_394.yaml",
        "lay_heldout_395.yaml",
        "lay_heldout_396.yaml",
        "lay_heldout_397.yaml",
        "lay_heldout_398.yaml",
        "lay_heldout_399.yaml",
        "lay_heldout_400.yaml",
        "lay_heldout_401.yaml",
        "lay_heldout_402.yaml",
        "lay_heldout_403.yaml",
        "lay_heldout_404.yaml",
        "lay_heldout_405.yaml",
        "lay_heldout_406.yaml",
        "lay_heldout_407.yaml",
        "lay_heldout_408.yaml",
        "lay_heldout_409.yaml",
        "lay_heldout_410.yaml",
        "lay_heldout_411.yaml",
        "lay_heldout_412.yaml",
        "lay_heldout_413.yaml",
        "lay_heldout_414.yaml",
        "lay_heldout_415.yaml",
        "lay_heldout_416.yaml",
        "lay_heldout_417.yaml",
        "lay_heldout_418.yaml",
        "lay_heldout_419.yaml",
        "lay_heldout_420.yaml",
        "lay_heldout_421.yaml",
        "lay_heldout_422.yaml",
        "lay_heldout_423.yaml",
        "lay_heldout_424.yaml",
        "lay_heldout_425.yaml",
        "lay_heldout_426.yaml",
        "lay_heldout_427.yaml",
        "lay_heldout_428.yaml",
        "lay_heldout_429.yaml",
        "lay_heldout_430.yaml",
        "lay_heldout_431.yaml",
        "lay_heldout_432.yaml",
        "lay_heldout_433.yaml",
        "lay_heldout_434.yaml",
        "lay_heldout_435.yaml",
        "lay_heldout_436.yaml",
        "lay_heldout_437.yaml",
        "lay_heldout_438.yaml",
        "lay_heldout_439.yaml",
        "lay_heldout_440.yaml",
        "lay_heldout_441.yaml",
        "lay_heldout_442.yaml",
        "lay_heldout_443.yaml",
        "lay_heldout_444.yaml",
        "lay_heldout_445.yaml",
        "lay_heldout_446.yaml",
        "lay_heldout_447.yaml",
        "lay_heldout_448.yaml",
        "lay_heldout_449.yaml",
        "lay_heldout_450.yaml",
        "lay_heldout_451.yaml",
        "lay_heldout_452.yaml",
        "lay_heldout_453.yaml",
        "lay_heldout_454.yaml",
        "lay_heldout_455.yaml",
        "lay_heldout_456.yaml",
        "lay_heldout_457.yaml",
        "lay_heldout_458.yaml",
        "lay_heldout_459.yaml",
        "lay_heldout_460.yaml",
        "lay_heldout_461.yaml",
        "lay_heldout_462.yaml",
        "lay_heldout_463.yaml",
        "lay_heldout_464.yaml",
        "lay_heldout_465.yaml",
        "lay_heldout_466.yaml",
        "lay_heldout_467.yaml",
        "lay_heldout_468.yaml",
        "lay_heldout_469.yaml",
        "lay_heldout_470.yaml",
        "lay_heldout_471.yaml",
        "lay_heldout_472.yaml",
        "lay_heldout_473.yaml",
        "lay_heldout_474.yaml",
        "lay_heldout_475.yaml",
        "lay_heldout_476.yaml",
        "lay_heldout_477.yaml",
        "lay_heldout_478.yaml",
        "lay_heldout_479.yaml",
        "lay_heldout_480.yaml",
        "lay_heldout_481.yaml",
        "lay_heldout_482.yaml",
        "lay_heldout_483.yaml",
        "lay_heldout_484.yaml",
        "lay_heldout_485.yaml",
        "lay_heldout_486.yaml",
        "lay_heldout_487.yaml",
        "lay_heldout_488.yaml",
        "lay_heldout_489.yaml",
        "lay_heldout_490.yaml",
        "lay_heldout_491.yaml",
        "lay_heldout_492.yaml",
        "lay_heldout_493.yaml",
        "lay_heldout_494.yaml",
        "lay_heldout_495.yaml",
        "lay_heldout_496.yaml",
        "lay_heldout_497.yaml",
        "lay_heldout_498.yaml",
        "lay_heldout_499.yaml",
        "lay_heldout_500.yaml",
        "lay_heldout_501.yaml",
        "lay_heldout_502.yaml",
        "lay_heldout_503.yaml",
        "lay_heldout_504.yaml",
        "lay_heldout_505.yaml",
        "lay_heldout_506.yaml",
        "lay_heldout_507.yaml",
        "lay_heldout_508.yaml",
        "lay_heldout_509.yaml",
        "lay_heldout_510.yaml",
        "lay_heldout_511.yaml",
        "lay_heldout_513.yaml",
        "lay_heldout_514.yaml",
        "lay_heldout_515.yaml",
        "lay_heldout_516.yaml",
        "lay_heldout_517.yaml",
        "lay_heldout_518.yaml",
        "lay_heldout_519.yaml",
        "lay_heldout_520.yaml",
        "lay_heldout_521.yaml",
        "lay_heldout_522.yaml",
        "lay_heldout_523.yaml",
        "lay_heldout_524.yaml",
        "lay_heldout_525.yaml",
        "lay_heldout_526.yaml",
        "lay_heldout_527.yaml",
        "lay_heldout_528.yaml",
        "lay_heldout_529.yaml",
        "lay_heldout_530.yaml",
        "lay_heldout_531.yaml",
        "lay_heldout_532.yaml",
        "lay_heldout_533.yaml",
        "lay_heldout_534.yaml",
        "lay_heldout_535.yaml",
        "lay_heldout_536.yaml",
        "lay_heldout_537.yaml",
        "lay_heldout_538.yaml",
        "lay_heldout_539.yaml",
        "lay_heldout_540.yaml",
        "lay_heldout_541.yaml",
        "lay_heldout_542.yaml",
        "lay_heldout_543.yaml",
        "lay_heldout_544.yaml",
        "lay_heldout_545.yaml",
        "lay_heldout_546.yaml",
        "lay_heldout_547.yaml",
        "lay_heldout_548.yaml",
        "lay_heldout_549.yaml",
        "lay_heldout_550.yaml",
        "lay_heldout_551.yaml",
        "lay_heldout_552.yaml",
        "lay_heldout_553.yaml",
        "lay_heldout_554.yaml",
        "lay_heldout_555.yaml",
        "lay_heldout_556.yaml",
        "lay_heldout_557.yaml",
        "lay_heldout_558.yaml",
        "lay_heldout_559.yaml",
    )
]

# (text, why the reader still answers it less urgently than the reference)
KNOWN_UNDER = {
    "a bit of blood, een beetje bloed (a little blood), on the towel when I washed this morning,"
    " from 2 tiny spots. it stopped quick. day 2": (
        "a little bleeding on day 2 that stopped is read as settled and normal; the writer sends"
        " it to the clinic (the eleventh writer to do so: a question for the clinical reviewers)"
    ),
    "Month out. Theres a few lighter, kind of white patches on my forehead where it was treated,"
    " like the color got bleached out. Should I be worried?": (
        "'lighter' is read as the treated marks fading and 'where it was treated' as the reason"
        " for treatment, so the new pale patches (for the clinic) are read as the treated spots"
        " getting better; the same shape as 'spots became lighter' in set 513"
    ),
    "I picked a scab by accident in my sleep and it bled a little this morning, it stopped with a"
    " tissue. day 3": (
        "a little bleeding on day 3 that stopped is read as settled and normal; the writer sends it"
        " to the clinic (the tenth writer to do so: a question for the clinical reviewers)"
    ),
    "my abgai (older sister) had a convulsion at home, arms and legs jerking, she bit her tongue."
    " Now she is awake. skoraya or we take her ourselves?": (
        "the sister is named as the one who had the seizure and the writer says nothing of their"
        " own face, so it is read as someone else's; the writer meant her sister, the patient."
        " It reaches the clinic as an unread part ('skoraya', ambulance), not home: whether a"
        " relative's emergency reported to the clinic should answer 'call for help' is a"
        " question for the clinical reviewers"
    ),
    "A wee bit of bleeding from a spot on my cheek this morning when I washed, stopped with a"
    " tissue.": (
        "a little bleeding on day 2 that stopped is read as settled and normal; the writer sends"
        " it to the clinic (the ninth writer to do so: a question for the clinical reviewers)"
    ),
    "when i washed my face this morning one of the spots started bleeding a little, i pressed it"
    " and it stopped. day 3": (
        "a little bleeding on day 3 that stopped with pressure is read as settled and normal;"
        " the writer sends it to the clinic (the eighth writer to do so: a question for the"
        " clinical reviewers)"
    ),
    "Pozhaluysta answer fast. Bumps like from krapiva (nettle) came on my neck and chest, hives,"
    " and now my gal is getting tight.": (
        "Uyghur 'gal' (throat) is also English 'gal' (a girl), so it is not read as the throat:"
        " the hives (urgent) are read, the tight throat with them (emergency) is not"
    ),
    "One month now. On my forehead some spots became lighter, whiter than the rest, like the"
    " colour went out of them.": (
        "spots that 'became lighter' are read as the dark spots being treated, fading (the"
        " reason for treatment); the writer means new pale patches, for the clinic"
    ),
    "I have the allergy pen from my doctor. I used it 15 minutes ago because I felt something not"
    " right in my body. Now I feel better so I think no need for hospital?": (
        "the pen is named in one sentence and used ('I used it') in the next: 'it' is not"
        " carried back to the pen, so the used pen (an emergency whatever follows) reaches"
        " only the clinic, as an unread part"
    ),
    "Good afternoon, it's Luis, grandson of Do\u00f1a Mimi. Her ich is very puffy today, the eyes"
    " are small from the swelling. And twenty minutes ago she fell down in the patio, she was out"
    " for a few seconds, she did not answer us. Now she is awake in the hammock and says she is"
    " fine, she wants her coffee.": (
        "the writer names himself and the patient as his grandmother ('grandson of Do\u00f1a"
        " Mimi'), but a grandson writing is read as the patient, so her swelling and faint are"
        " read as someone else's; Yucatec Maya 'ich' (face) is also German 'ich' (I) and is"
        " left unread"
    ),
    "The place on my jaw where the radiofrequency tip was too hot looks like a burn now, and it is"
    " worse today than yesterday, darker and bigger, and kai, burning.": (
        "'it is worse today than yesterday' is read as the burning getting worse, not the burn"
        " mark (a burn that grows is urgent; a burning feeling that grows on day 2 is for the"
        " clinic)"
    ),
    "I picked one scab on my nose by accident and it bled a little, it stopped with a tissue.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "A few drops of blood when I wash my face this morning, from near the nose. It stopped"
    " quick.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "EpiPen: deployed. The whistling in my chest has stopped completely, the way a string section"
    " fades into silence, and I feel almost myself again.": (
        "a colon between the pen and 'deployed' (a label, as in a report) keeps the two apart, so"
        " the pen is not read as used; the settled wheeze still goes to urgent, same day"
    ),
    "A drop of claret on the pillowcase this morning \u2014 one of the little scabs bled when I"
    " turned over. It stopped quickly.": (
        "as in sets 460, 469, 473 and 476: a little bleeding on day 3 that stopped at once reads"
        " as settled; the writer sent it to the clinic (a question for a clinician)"
    ),
    "Burning like I've had me face in a nettle patch, bad. Red as you said it would be.": (
        "'bad' after a comma at the end of the simile is not read as the burning's severity"
        " (severe burning on the day goes to the clinic)"
    ),
    "Redness was fading nicely but from last night it is spreading again towards my jaw, and"
    " there is a garam garam feeling in it. No dukhavo, no pain at all.": (
        "the spreading is said of 'it' in a part that also names the heat, so it is read as the"
        " heat's, not the redness's (spreading redness with heat is urgent); the clinic sees it"
    ),
    "When I washed, one dalameh (small scab) came off and a drop of khoon (blood) came, it stopped"
    " quickly.": (
        "as in sets 460, 469 and 473: a drop of blood on day 3 that stopped at once reads as"
        " settled; the writer sent it to the clinic (a question for a clinician)"
    ),
    "A few spots of blood on my pillow this morning. Just a little, stopped straight away.": (
        "as in sets 460 and 469: a little bleeding on day 2 that stopped at once reads as"
        " settled; the writer sent it to the clinic"
    ),
    "Bad rash. My whole face and down both arms, red and rough like sandpaper.": (
        "the extent is said in the sentence after the rash, of the redness and roughness it"
        " names, so the rash is read without its severity (a widespread rash is urgent); the"
        " clinic still sees it"
    ),
    "When I washed my face this morning there was a little blood from two spots. It stopped"
    " quick.": (
        "as in set 460: a little bleeding on day 2 that stopped at once reads as settled (no"
        " sign now), and settled bleeding has no rule of its own; the writer sent it to the"
        " clinic (a clinician's question: should settled bleeding after day 1 reach the clinic?)"
    ),
    "My grandson's got a crust on his chin the colour of golden syrup, sticky and shiny, like the"
    " glaze on a pork pie. The little dark scabs elsewhere look normal, thass just this bit.": (
        "a grandson with something of his own is most often someone else (a grandparent"
        " checking in for themself); here he is the patient and nothing says so: the yellow"
        " crust (urgent) reads as his, not the patient's"
    ),
    "Granos, pimples, came out on the forehead like when I was fifteen years old.": (
        "'granos' (Spanish: pimples) and its gloss are read as two bare words, each a part of"
        " its own, and a bare acne word is taken for the spots being treated; a new breakout"
        " on day 4 is for the clinic"
    ),
    "When I washed the cara a little blood came from a scab, un poquito, it stopped with the"
    " towel.": (
        "a little bleeding on day 3 that stopped at once reads as settled (no sign now); the"
        " writer sent it to the clinic"
    ),
    "Khan (itchy) so bad I cannot stop, and the stinging is terrible, worst ever, I cry. Only the"
    " face, no other place. No breathing problem.": (
        "'Khan' (Lao: itchy) is also a name, so its gloss in brackets is not taken for it (a"
        " name glossed stays a name: 'Dr Khan (my GP)'); the brackets keep 'so bad I cannot"
        " stop' from the itch, and severe stinging alone reaches the clinic, not the urgent of"
        " a severe itch"
    ),
    "K\u00eam is coming from two dots on my chin, white-yellow. I squeezed a little and it came"
    " out. Around it red is.": (
        "Kurdish 'k\u00eam' (pus) is Gujarati 'kem' (how: 'kem cho') and Vietnamese 'kem'"
        " (cream) in other sets: unread, the pus from two dots on day 4 (urgent) reaches the"
        " clinic"
    ),
    "Day 8. The itch is maybe more than before, I am not sure, maybe same. Naw Ku Say ask me to"
    " write it for her.": (
        "'maybe more than before, I am not sure, maybe same': the writer chose the clinic"
        " (safer: a worsening itch); the reader reads the itch as no worse, and itching on day"
        " 8 is self care"
    ),
    "Day 3. The swelling was going down yesterday, but this morning it urrel a again, the"
    " cheeks are fuller. Not hot. No pimples, no rash.": (
        "'it urrel a again' (Armenian 'urrel', swollen, and a stray 'a'): the 'a' keeps 'again'"
        " from the swelling, so swelling come back on day 3 (the clinic) reads as swelling"
        " within its course"
    ),
    "Since yesterday meh lips numb and meh ears ringing off and on. Face itself healing good, de"
    " red gone down": (
        "the message opens on a time of its own ('since yesterday') and ends on the redness"
        " 'gone down': the ringing ears, said without a verb, are settled with it, so numb lips"
        " after day 1 reach the clinic, not the urgent of numb lips and ringing ears together"
    ),
    "bit does he since i left the clinic": (
        "'bit does he' is a smartwatch's hearing of 'bit dizzy': no word of it is a symptom"
        " word, so the message reaches the clinic, not the urgent of dizziness within a day of"
        " numbing cream"
    ),
    "tengo la cara re contra hinchada, no me reconozco en el espejo, los ojos casi cerrados de"
    " la hinchaz\u00f3n": (
        "'los ojos casi cerrados de la hinchaz\u00f3n' (eyes almost closed from the swelling): the"
        " Spanish 'de la' between the closed eyes and the swelling keeps the severity from the"
        " swelling (said in English it is read as severe swelling, urgent); the clinic hears"
        " of the swelling"
    ),
    "cheek. hot. fat. ow. ow": (
        "one word a sentence (a writer with aphasia): 'fat' in a sentence of its own has no site"
        " to be a swelling of, and 'ow' is not read as pain (it is also Yorkshire 'how', 'ow at"
        " duck'), so a hot cheek on day 2 reaches the clinic, not the urgent of hot, swollen and"
        " sore together"
    ),
    "raw. skin come off. wet. the - patch. cheek. size of a 5p": (
        "one word a sentence: 'raw' alone has no site, and 'skin come off' is as often peeling"
        " flakes ('skin come off in little flakes'): read as open skin it sent three flaking"
        " messages to urgent. Open skin on day 4 is urgent (the set's answer)"
    ),
    "pain. 9. nine. out of ten. face": (
        "one word a sentence: 'nine. out of ten' split by a full stop is no score, so the pain is"
        " not read as severe (9 out of 10 on day 2 is urgent)"
    ),
    "few of the dots bled a bit this mornin wen i washed, stopped now": (
        "a little bleeding that has stopped is normal healing in symptoms.yaml; the set asks the"
        " clinic to hear of it"
    ),
    "hay un area en mi mejilla where the skin is just gone, like carne viva, about the size of a"
    " quarter": (
        "open skin on day 1 is the clinic's (open_skin rule) unless said to be severe; 'like"
        " carne viva' (raw flesh) and 'the size of a quarter' are also said of small scrapes and"
        " rashes (read as severe, they sent two guarded messages to urgent). The writer chose"
        " urgent"
    ),
    "Sitrep day 1. Rash come up along my jaw and neck this morning. Came over all woozy in the"
    " shower at 0730, went off after 5 mins. NTR since.": (
        "'Rash come up ... this morning' reads as past (a clipped 'came up' with a time of the"
        " past), so the woozy spell's settling, said after it, settles the rash too: a settled"
        " rash and dizzy spell reach the clinic. The writer meant the rash is still there"
        " (emergency: skin sign with a faint feeling)"
    ),
    "swelling went down yesterday and now it's puffing up again round my jaw": (
        "'is puffing up' is read as one phrase for swelling, so the 'again' after it is not read"
        " as a return; swelling on day 2.5 is within its course. Swelling that comes back is"
        " the clinic's (the set's answer)"
    ),
    "Mahapdi pa rin po kahit day 9 na, akala ko 2 days lang": (
        "stinging still there on day 9 is self care in symptoms.yaml (stinging_past_week; the"
        " clinic from day 14); the writer chose the clinic because the patient expected two days"
    ),
    "A spot bled a bit when I was washing my face this morning, stopped with tissue.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "I've got cellulitis.": (
        "an infection named with nothing described: 'cellulitis' is unread, so the clinic reads"
        " it (contact_clinic); read as a sign of infection it made 'convinced it's cellulitis"
        " ... just pink, not hot' urgent too. The set's writer chose urgent"
    ),
    "cheek still bvuam, ron and jeb, same same like yesterday not more not less": (
        "Thai 'ron' (hot) alone is also a name (Ron), so it is not read as warmth: swelling and"
        " pain on day 2 are within their course; hot, swollen and sore together is urgent"
    ),
    "I feel lightheaded small when I stand up for una clinic, dem give me Fanta and biscuit and"
    " e pass. Face just red.": (
        "a dizzy spell that has passed, with no skin sign, has no rule in triage_rules.yaml"
        " (the settled rules need a skin sign); the writer asked the clinic to hear of it, a"
        " policy question for a clinician"
    ),
    "Little blood came from one small scab when I washed face this morning. Stopped quick with"
    " tissue.": (
        "a little bleeding that has stopped is normal healing in symptoms.yaml; the set asks the"
        " clinic to hear of it"
    ),
    "The small dots on my forehead keep bleeding. I pressed with gauze for forty minutes and it"
    " still runs, the gauze is red through. I take a blood thinner, Eliquis.": (
        "bleeding that will not stop is said of 'it' in the next sentence, beside the small"
        " dots (read as a rash too): the reader gives the severity to neither; the clinic"
        " hears of the bleeding"
    ),
    "1. ok 2. no 3. yes 4. no": (
        "answers numbered by the clinic's follow-up question, which the reader does not see:"
        " the set reads the third as trouble breathing; the reader sends an unreadable answer"
        " to the clinic"
    ),
    "A few drops of blood when I washed this morning, I think a scab came off. Stopped right"
    " away.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Went a bit light-headed coming out of t'clinic, had to sit on t'step for five minutes"
    " while it passed. Fine now, just thought I'd tell you.": (
        "a dizzy spell that has passed, with no skin sign, has no rule in triage_rules.yaml"
        " (the settled rules need a skin sign); the writer chose urgent as the safer answer, a"
        " policy question for a clinician"
    ),
    "When I washed this morning a little sangue came out from some points on the forehead."
    " Small, it stopped alone. Day two.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "A spot on my cheek bled this morning when the scab caught on the pillowcase. Stopped"
    " after a minute with a tissue. Day 3.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "i picked a scab on my cheek by accident and it bled a little, stopped with a tissue. day 2": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Few spots of blood on the pillow this morning from the scabs. Stopped on its own.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "It bled a small bit when I washed the face this morning, just a couple of spots on the"
    " towel. Stopped straight away.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Had the radiofrequency microneedling yesterday afternoon. There's a proper burn on"
    " me jaw, like I'd leant on the iron, a big angry patch with the skin gone white and"
    " shiny in the middle. And the pain is terrible, worst I've had, worse than having"
    " our Jack, I've been up all night with it and paracetamol and ibuprofen together"
    " aren't touching it. Me husband wants to send you a photo, where do we send it": (
        'the burn is said first, its size after it as "a big angry patch" (read as swelling)'
        " and its white middle in the same part: the burn itself is not read as large or deep"
    ),
    "I had the RF microneedling two days ago and there's a burn mark along me jawline"
    " from the tip, like a little line of grill marks off a barbecue. Yesterday it was"
    " pink, today it's gone darker and angrier and it's bigger, and it's started to hurt"
    " more. I've been putting aloe vera on it from the garden centre": (
        'as the burn mark of set 232: the burn is named before, and "it" of "Yesterday it was'
        " pink, today it's ... bigger\" is read as the redness said just before it"
    ),
    "I picked one of the scabs by accident in my sleep and its bled a bit on my pillow."
    " stopped now": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Day 2, the left cheek is πρησμένο, hot like bread from the oven, and it hurts when I"
    " chew or touch it. The right side is ok.": (
        "the swelling is said only in Greek letters (another script is read as unread, so the"
        " clinic reads it): heat and pain on day 2 alone are for the clinic, not urgent"
    ),
    "one patch on my cheek still feels numb-ish and tingly, rest is fine, mouth and lips totally"
    " normal": (
        "a numb patch of the treated skin is read as its tingling (burning in symptoms.yaml),"
        " within its course on day 3; the mouth and lips are said normal, so no numb mouth (it"
        " had been read as one when a site list before 'normal' was not cleared)"
    ),
    "The bit under my jaw looks burnt from the RF, just a small pink mark.": (
        "'looks burnt' is read as redness, as the retinol message: a small mark said to look"
        " burnt is not read as a burn"
    ),
    "Picked at a scab (I know, I know) and it bled a little, stopped with a tissue after a"
    " minute.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Burn mark from the device on my neck. Yesterday it was small, today it is bigger and "
    "darker, and more sore when the collar touches.": (
        'the burn is named before; the worsening said of "it" after a comma ("yesterday it was '
        'small, today it is bigger") goes to the symptoms of its own clause, so the burn is not '
        "read as getting worse"
    ),
    "Dear Nurse, it is Mrs Kathleen Rice, seventy-three. I have put off writing all morning "
    "because I did not want to waste your time. You may recall the small burn mark on my temple "
    "from the heated head of the machine. Three days on it is getting angrier every day, bigger "
    "and redder than yesterday, and this morning it is weeping a little at the edge. I have high "
    "blood pressure and take losartan. Yours, Kathleen": (
        'as the burn mark of set 232: "Three days on it is getting angrier" opens past the first '
        "words that point back to it"
    ),
    "Vet bong (the burn mark) from the machine on my cheek was small on day 1, now bigger and "
    "darker every day, the edge angry red.": (
        "as the burn mark of set 232: the bracket after the glossed word parts the burn from "
        '"now bigger and darker"'
    ),
    "I have escalofrios, I tremble under two blankets and my teeth make noise, and the right "
    "cheek is still inflamed.": (
        "'inflamed' is read as redness only (a word means one symptom), and chills with redness "
        "alone is for the clinic; the set reads it as swelling too"
    ),
    "One spot on my cheek bled a little when I washed my face this morning. Stopped after a "
    "minute.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal "
        "healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "oh great, my lips look like I lost a fight with a bee, love that for me 🙃": (
        "sarcasm: the lips are named with nothing read, so urgent, not emergency"
    ),
    "used my retinol last night (I know I know) and now one cheek looks burnt and sore": (
        "'looks burnt' is read as redness; a retinol reaction is not a symptom of its own"
    ),
    "still quite red on day 5, not sore or hot or anything, is that ok?": (
        "redness on day 5 is within its expected course in symptoms.yaml; the set asks more"
    ),
    "moisturiser still stings every time I put it on": (
        "stinging with products is expected for days; 'still' gives no day to weigh it"
    ),
    "used my retinol by accident last night \U0001f926\u200d\u2640\ufe0f"
    " now its stingy and blotchy": (
        "as the other retinol message: an irritant reaction has no symptom code"
    ),
    "My mate had the same treatment and ended up in A&E with her throat swelling. I'm fine,"
    " just a bit red. Should I take an antihistamine before my next one?": (
        "the friend's throat is rightly hers now; a question about a medicine is not read as"
        " one the clinic must answer"
    ),
    "it's giving crispy \U0001f480 my face is SO dry it feels like sandpaper and moisturiser does"
    " literally nothing": ("'SO dry' on day 10 is not read as severe dryness"),
    "bruises under my eyes still purple after 10 days": (
        "bruising is contact_clinic after 14 days in symptoms.yaml; the set chose day 10"
    ),
    "A patch on my forehead about the size of a 50p has come away and it's raw and shiny"
    " underneath.": ("the size of an open wound ('about the size of a 50p') is not read as severe"),
    "Day 3. My face cannot be touched at all, even washing with water is too much, like skin"
    " without its cover. It is not hot.": (
        "sensitivity, however bad, is within its course on day 3 in symptoms.yaml (only worsening"
        " after day 3, or lasting past three weeks, is for the clinic); the set asks more"
    ),
    "A scab came off when I washed and it bled a little bit, it's stopped now.": (
        "a little bleeding that has stopped, from a scab knocked off, is normal healing in"
        " symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "A spot on my forehead bled a bit when I washed this morning. Stopped with a tissue.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "A scab came off on my cheek this morning and it bled a little bit, stopped with a tissue.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml (when it happened is not weighed); the set asks the clinic to"
        " hear of it"
    ),
    "When I washed this morning some little spots of blood came from my forehead, maybe I rubbed"
    " a scab. It stopped quick.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Day 2 pink, day 3 pinker, day 4 red again. No heat, no pain.": (
        "a diary of days is not read as a trend: 'pinker' is a word for redness, not for its"
        " getting worse, so day-4 redness stays within its course"
    ),
    "The red on my mother face is getting more bigger since yesterday and feels hot like tawa"
    " when I touch. She says there is no pain": (
        "'my mother ... is getting' is read as the mother's own experience (a relative with a"
        " verb of experience), so the heat said after it is someone else's; the redness getting"
        " worse alone is for the clinic"
    ),
    "కన్ను left side stabbing inside like a needle went in, water coming nonstop. They were "
    "doing very close to the eye area.": (
        "the word that matters is in another script and not glossed (Telugu for eye); the "
        "part is unread, so the clinic reads it (contact_clinic), never home"
    ),
    "سینے میں درد since morning, like somebody pressing with both hands on it, and little bit "
    "sweating. face needle was yesterday, face is fine.": (
        "the word that matters is in another script and not glossed (Urdu for chest pain); "
        "the part is unread, so the clinic reads it (contact_clinic), never home"
    ),
    "لبم became swollen like a sausage one hour after. I took the allergy tablet from my "
    "handbag and now it is back to normal size. Everything else fine, breathing fine.": (
        "the word that matters is in another script and not glossed (Farsi for my lip); the "
        "part is unread, so the clinic reads it (contact_clinic), never home"
    ),
    "my right cheek is hot and پړسیدلی, and sore when i touch like a bruise from cricket "
    "ball. left side is fine.": (
        "the word that matters is in another script and not glossed (Pashto for swollen); the "
        "part is unread, so the clinic reads it (contact_clinic), never home"
    ),
    "There were spots of blood on Mum's pillow this morning, she's been picking at her scabs in"
    " her sleep I think. Stopped now. 2 days after": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "She picked at a scab (told her not to!!) and it bled a bit, stopped after a minute": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "I picked a scab by accident and it bled a little, stopped with a tissue.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Both me and my son have been throwing up since last night - he wasn't treated, probably a"
    " bug going round school. My face looks fine.": (
        "'both me and my son': the son, said to be untreated, is taken as the subject of both"
    ),
    "Face width across the cheekbones, tape measure: 14.2 cm yesterday, 14.9 cm today. The left"
    " side feels hot compared to the right.": (
        "a face measured wider is not read as swelling: 'face width' names no symptom, so the"
        " growth of the measure has nothing to make worse"
    ),
    "Hello, it's two months since my treatment. Generally all good, and I'm booked in for the"
    " second one next month. I went to my friend's wedding at the weekend and had my makeup done"
    " properly for the first time and the makeup artist pointed out a raised line on my chin, a"
    " firm ridge, like a thickened scar, in the exact place you treated. It wasn't there before."
    " It isn't painful. We had beef wellington at the wedding, amazing.": (
        "'in the exact place you treated' reads the ridge as the scar being treated; 'It wasn't"
        " there before', which makes it new, is in the next sentence"
    ),
    "Visited Mr Lowe this morning. The treated patch on his forehead is still raised and warm to"
    " the back of my hand, and he winces if his cap brushes it. About the same as yesterday, he"
    " says.": (
        "'still raised' is not read as swelling (it would make 'the raised scar we're treating is"
        " still raised' a new swelling), so warmth and tenderness alone stay self care on day 2"
    ),
    "Mrs Adeyemi is asking for more paracetamol for her face every day: once yesterday, twice"
    " the day before, and four times so far today. She pulls away when we wash her. It was"
    " hardly bothering her on Monday.": (
        "pain read, but more painkillers each day is not read as pain getting worse"
    ),
    "His cheeks look fuller this morning than in yesterday's photo. No heat, no pain, no rash.": (
        "'fuller than in yesterday's photo' is not read as getting worse, so day-3 swelling stays"
        " within its course"
    ),
    "Woke up and there were little spots of blood on the pillow, I think I scratched the scabs"
    " in sleep. Stopped by itself.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "I'm afraid I picked at a scab on my nose and it bled a little, it's stopped now with a"
    " tissue held on.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Little bit of blood came on the towel when I washed my face this morning. It stopped"
    " quickly.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "I had a tight throat after the treatment and I used my \u30a8\u30d4\u30da\u30f3 at 3pm"
    " like my allergist taught me. Now breathing is normal again and I feel fine. Do I still"
    " need to go somewhere?": (
        "the word that matters is in another script and not glossed (Japanese for EpiPen): the"
        " settled tight throat is read (urgent, same day), the pen is not"
    ),
    "Picked at a scab (sorry!!) and it bled a little, stopped with a tissue. Day 3.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Holy crap my face is on fire since I put on the serum she sent me home with. Way beyond a"
    " sunburn feeling.": (
        "'on fire' is read as burning without its severity, and 'way beyond a sunburn feeling',"
        " a sentence of its own, does not reach it (a severity phrase holding 'on fire' would"
        " swallow the burning itself)"
    ),
    "Hi, sorry, I did something stupid. I scratched at a scab in my sleep and woke up with little"
    " spots of blood on the pillowcase, and a couple more came when I washed. It stopped as soon"
    " as I dabbed it. The rest of me is fine, just dry. Will it scar?": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "A scab came off my scalp in the night and there was blood on my pillowcase this morning."
    " It's stopped now.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Day two for me. This morning I've got hives, red blotchy bumps popping up along my "
    "jawline and neck where they did the needling. And last evening I got real woozy in the "
    "shower, had to hang onto the towel bar till it passed, thought I was going down. Today "
    "no more spells. I took a Zyrtec. My husband tells me it's the new laundry soap.": (
        "'Today no more spells' (a word the reader does not know after 'no more') settles the"
        " hives said two sentences before, so the settled faint with hives reads as urgent"
    ),
    "Day three. I confess I picked at a scab on my cheek while watching the Huskers game, and "
    "it bled. It stopped with a tissue after a few minutes but then started again when I "
    "washed my face tonight, just a little. My face everywhere else is fine, a little flaky. "
    "Should I put a bandaid on it?": (
        "as the scab knocked off while washing, and 'then started again ... just a little'"
        " after the stop is not read as the bleeding going on"
    ),
    "Skin on my cheeks is getting more tender to touch every day instead of less. Not hot, "
    "not really red. Five days out.": (
        "'tender to touch' is sensitivity in symptoms.yaml (getting worse after day 3 is for"
        " the clinic); the set reads it as pain getting worse (urgent), SAFER"
    ),
    "Felt woozy after I left, had to sit on the pavement outside for a few minutes. It's "
    "passed now. Face red and warm like you said it would be.": (
        "a dizzy spell that has passed, with no skin sign, has no rule in triage_rules.yaml"
        " (redness and warmth on the day are expected); the set reads it as current, SAFER"
    ),
    "When I wash face this morning one scab came off and a little blood come out. Stopped "
    "after I press.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Mum's face was calming down nicely on day two but since yesterday it's gone redder "
    "again, blotchier. It doesn't feel warm to me and she says it doesn't hurt. Day three and "
    "a half now. She had the same thing done two years ago and it went smoothly then.": (
        "'She had the same thing done two years ago' (an earlier treatment of the same"
        " patient) reads as someone else's treatment, so the redness getting worse is"
        " read as someone else's"
    ),
    "Hi, day 2. I woke up and there were little dots of blood on my pillowcase, and a spot on"
    " my cheek was bleeding a little, like a paper cut. I dabbed it and it stopped after a"
    " couple of minutes. I think I might have scratched in my sleep. Is that okay?": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "There was a spot of blood on my pillow this morning, I think I caught a scab with my nail"
    " in the night. It stopped straight away.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "The rough patch on my chin is spreading down onto my neck. On me it's a touch darker and"
    " feels like sandpaper, I notice it with my fingertips more than in the mirror.": (
        "a rough patch spreading is read as dryness getting worse (the clinic); that on darker"
        " skin 'a touch darker' is how a rash shows is not read (the set reads a rash spreading,"
        " urgent)"
    ),
    "Hi, I'm two and a half days out from my treatment. My forehead is still quite "
    "red in one patch, not spreading really, pretty much the same size as yesterday. "
    "But it's hot to touch, my daughter felt it and said \"Mum, you're like a heater\", "
    "and it's tender when I put the moisturiser on. The rest of my face is flaky and "
    "okay. I've been doing netball training with the team on Tuesday nights but I "
    "skipped it this week. Just wanted to check that's normal?": (
        "'tender' is sensitivity in symptoms.yaml, and here it follows the daughter's words, so"
        " it is read as hers; red and hot after day 1 is for the clinic (the set reads tender as"
        " pain: red, hot and painful, urgent)"
    ),
    "Hi, day one. Last night I put on a new vitamin C serum a girl on Instagram "
    "swears by (I know, the sheet said not to) and my face is on fire. Not a little "
    "bit, it's like someone rubbed chilli into it, the worst I've ever felt, and it "
    "itches so viciously I've had to sit on my hands to stop myself clawing at it. I "
    "washed it off with cool water and it's only eased a tiny bit. I've got ice packs "
    "on. It's red, but the same red as yesterday. I'm at work at the council in "
    "Parramatta tomorrow. What do I do?": (
        "'on fire' is read as burning without its severity, and 'like someone rubbed chilli"
        " into it, the worst I've ever felt', a sentence of its own, does not reach it; the"
        " severe itch alone is for the clinic (the set reads two severe findings, urgent)"
    ),
    "Few little specks of blood on me flannel when I washed this morning, stopped straight away.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
    "Been measuring the red patch on my right cheek with a tape:\ntime  | width | "
    "throb\n08:00 | 3 cm  | 3/10\n14:00 | 4.5cm | 5/10\n21:00 | 6 cm  | 6/10\nIt's hot to "
    "touch compared to the left side.": (
        "a size measured three times in a table, one row per line, is not read as growth (a"
        " sign measured twice is, within a sentence): red and hot after day 1 is for the"
        " clinic; the set reads spreading redness with warmth, urgent"
    ),
    "Drew round the red area with eyeliner at 8am. At 8pm it's gone an inch past the "
    "line all the way round, and it's giving off heat like a radiator. Doesn't hurt "
    "as such.": (
        "'it's gone an inch past the line' is said of the part before 'and it's giving off"
        " heat', and the trend lands on the warmth, not the redness: spreading redness with"
        " warmth (urgent) is not reached"
    ),
    "Itch log:\nday 2 = 2\nday 3 = 3\ntoday = 6": (
        "an itch scored day by day on lines of its own ('day 3 = 3, today = 6') is not read as"
        " getting worse; itching alone on day 4 is expected (the set reads worsening itch,"
        " the clinic)"
    ),
    "Small drops of blood came out on the pillow this morning from the cheek. It stopped by"
    " itself.": (
        "as the scab knocked off while washing: a little bleeding that has stopped is normal"
        " healing in symptoms.yaml; the set asks the clinic to hear of it"
    ),
}


# libyaml's loader where it is built in: the pure-Python one took 59 s to parse the sets, and
# they were parsed twice in each worker (once here, once in each set's test)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load(path: Path) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER)
    return entries


BY_SET = {path: _load(path) for path in SETS}
ENTRIES = [entry for entries in BY_SET.values() for entry in entries]


def test_the_sets_are_there() -> None:
    assert len(SETS) == 556 and len(ENTRIES) == 83440


def _run(entry: dict[str, Any], knowledge: Knowledge) -> str:
    checkin = parse_checkin(
        {"days_since_treatment": entry["day"], "message": entry["text"]}, knowledge
    )
    return triage(checkin, knowledge).disposition


# One test per set, listing every message that fails (one per message made 12,000 tests whose
# own overhead outweighed the reading)
@pytest.mark.parametrize("path", SETS, ids=[path.stem for path in SETS])
def test_no_emergency_goes_home_and_only_the_known_misses_are_less_urgent(
    path: Path, knowledge: Knowledge
) -> None:
    sent_home, under, fixed = [], [], []
    for entry in BY_SET[path]:
        got = _run(entry, knowledge)
        if entry["expect"] == "emergency" and got == "self_care":
            sent_home.append(entry["text"])
        less = disposition_rank(got) < disposition_rank(entry["expect"])
        if entry["text"] in KNOWN_UNDER:
            if not less:
                fixed.append(entry["text"])  # fixed: strike it from the known misses
        elif less:
            under.append(f"{entry['text']!r}: {got} < {entry['expect']}")
    assert (sent_home, under, fixed) == ([], [], [])
