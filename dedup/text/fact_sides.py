"""Words in groups of sides, for ``facts``: a word of one side where the sentence restated holds a word of another
side of its group turns the fact ("rose" for "fell", "innocent" for "guilty", "p.m." for "a.m.")."""

from __future__ import annotations

# Words that, put one for another, turn a fact around and leave the rest of a sentence as it was (a correction,
# or a restatement that is none). Each group's sides (``|``) are words of one meaning: a sentence holding a word of
# a side that its earlier paragraph lacks, where the sentence it restates holds a word of another side of the group,
# says more ("rose" where it says "fell"; "passed" where it says "approved" does not).
_SIDES = """rise rises rose risen rising up increase increased increases increasing grow grew grown growing gain
    gained gains gaining higher highest jump jumped jumps jumping climb climbed climbs climbing surge surged surges
    surging soar soared soars soaring | fall falls fell fallen
    falling down decrease decreased decreases decreasing shrink shrank shrunk shrinking loss losses lower lowest
    decline declined declines declining plunge plunged plunges plunging slump slumped
    slumps slumping tumble tumbled tumbles tumbling slide slid slides sliding sink sank sunk sinks sinking dip dipped
    dips dipping reduce reduced reduces reducing;
    improve improved improves improving improvement | worsen worsened worsens worsening deteriorate deteriorated
    deteriorates deteriorating;
    strengthen strengthened strengthens strengthening | weaken weakened weakens weakening;
    strong stronger strongest | weak weaker weakest;
    grant granted grants granting | deny denied denies denying refuse refused refuses refusing;
    sign signed signs signing | veto vetoed vetoes vetoing;
    safe | dangerous unsafe;
    attend attended attends attending | skip skipped skips skipping miss missed misses boycott boycotted;
    start starts starting | miss missed misses;
    always | sometimes | never | rarely seldom | often frequently | usually;
    admitted | discharged;
    fined | cleared acquitted;
    misdemeanor misdemeanors misdemeanour misdemeanours | felony felonies;
    minimum | maximum;
    domestic | international foreign;
    eldest oldest older elder | youngest younger;
    ground bottom | top;
    mother mothers | father fathers;
    resident residents | visitor visitors tourist tourists;
    unanimously unanimous | narrowly narrow majority;
    above over more most | below under less least fewer fewest nearly almost;
    win wins won winning beat beaten defeated | lose loses lost losing defeat;
    guilty convicted conviction | innocent acquitted acquittal cleared;
    approve approved approves approval accept accepted accepts agree agreed agrees support supported supports for
    pass passed back backed | reject rejected rejects rejection refuse refused refuses disagree disagreed decline
    declined declines oppose opposed opposes against fail failed fails;
    confirm confirmed confirms admit admits admitted admitting | deny denied denies denying;
    uphold upholds upheld upholding | overturn overturns overturned quash quashes quashed reverse reverses reversed;
    ban bans banned banning prohibit prohibits prohibited forbid forbids forbidden | allow allows allowed allowing
    permit permits permitted lift lifts lifted lifting;
    plaintiff plaintiffs claimant claimants prosecution prosecutor prosecutors | defendant defendants defence defense;
    managed succeeded | failed;
    legal lawful | illegal unlawful;
    open opened opens reopened | closed close closes shut;
    alive survived | dead died killed;
    killed died dead | injured wounded hurt hospital hospitalised hospitalized;
    arrested jailed detained charged | released freed cleared;
    male man men boy boys | female woman women girl girls;
    he him his | she her hers;
    today tonight | tomorrow | yesterday;
    morning | afternoon | evening | night;
    noon midday | midnight;
    am a.m. | pm p.m.;
    before earlier early | after later late;
    first | last;
    next | last previous past;
    north northern northbound | south southern southbound | east eastern eastbound | west western westbound;
    left | right;
    inside indoors | outside outdoors;
    all every | some | none no | few handful | many most hundreds thousands dozens;
    majority | minority;
    both | neither | either;
    half halved halve | double doubled twice | triple tripled | quadruple quadrupled;
    will shall | would | may might could | must | should;
    raise raised raises raising hike hiked hikes | cut cuts cutting lowered lowers reduce reduced reduces;
    buy buys bought buying acquire acquired acquires purchase purchased | sell sells sold selling;
    hire hires hired hiring | fire fires fired firing sack sacked lay laid dismissed;
    begin begins began begun start started starts | end ends ended ending;
    resign resigned resigns quit quits | appointed appoint appoints named sacked fired dismissed ousted;
    temporarily temporary | permanently permanent;
    partially partly | completely fully totally entirely;
    victim victims | suspect suspects attacker attackers gunman | witness witnesses;
    adult adults | child children kids teenagers teens;
    son sons | daughter daughters;
    brother brothers | sister sisters;
    lower | upper;
    century centuries | decade decades | year years annual annually yearly | month months monthly | week weeks weekly
    | day days daily | hour hours
    hourly | minute minutes;
    foot feet | metre metres meter meters | yard yards | inch inches;
    this current | next | last previous past;
    kg kilogram kilograms kilo kilos | lb lbs pound pounds;
    km kilometre kilometres kilometer kilometers | mile miles;
    mm millimetre millimetres millimeter millimeters | cm centimetre centimetres centimeter centimeters | metre metres
    meter meters | km kilometre kilometres kilometer kilometers;
    mg milligram milligrams | gram grams | kg kilogram kilograms kilo kilos | tonne tonnes ton tons;
    celsius | fahrenheit;
    percent | points point;
    mln million millions | bln billion billions | trillion trillions;
    lakh lakhs | crore crores;
    monday | tuesday | wednesday | thursday | friday | saturday | sunday;
    spring | summer | autumn | winter;
    private privately | public publicly;
    earliest soonest | latest;
    delay delayed delays postponed postpones postpone | cancel cancelled canceled cancels scrapped axed;
    deliberately intentionally deliberate intentional | accidentally accidental unintentionally;
    increase increased increases raise raised | freeze froze frozen freezes;
    landed landing | crashed crash crashes;
    full high | low;
    agreed agreement | broken broke collapsed violated;
    sharply steeply strongly | slightly marginally modestly;
    has have | lacks lack lacked lacking;
    coastal | inland;
    import imports imported importing | export exports exported exporting;
    lend lends lent lending loaned | borrow borrows borrowed borrowing;
    acre acres | hectare hectares;
    since | until till;
    raise raised raises raising | keep keeps kept keeping maintained unchanged;
    true | false;
    required mandatory compulsory obligatory | optional voluntary;
    include includes included including | exclude excludes excluded excluding"""

# Groups whose words are as often something else ("laid off", "off the coast", "on Monday", "disabled visitors",
# "walked free", "paid a fine"): one turns a fact only where the sentence does not hold its partner's word too.
_LOOSE_SIDES = """enable enables enabled enabling | disable disables disabled disabling;
    free | paid;
    on | off"""


def _places(groups: str) -> dict[str, frozenset[tuple[int, int]]]:
    """Each word of ``_SIDES`` -> its (group, side) places: a word may stand in several groups ("killed")."""
    places: dict[str, set[tuple[int, int]]] = {}
    for group, sides in enumerate(groups.split(";")):
        for side, listed in enumerate(sides.split("|")):
            for word in listed.split():
                places.setdefault(word, set()).add((group, side))
    return {word: frozenset(found) for word, found in places.items()}


SIDE_OF = _places(_SIDES + ";" + _LOOSE_SIDES)
LOOSE_GROUPS = frozenset(range(_SIDES.count(";") + 1, _SIDES.count(";") + _LOOSE_SIDES.count(";") + 2))
