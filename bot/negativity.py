"""Is a post negative? An offline Polish and English judgement for posts that carry no sentiment.

Facebook and Instagram comments come with no sentiment, and most of them are praise, questions
or thanks, not complaints. Only a negative post may open a crisis, so each one is judged here.

Stars and a sentiment given by the source decide first (stars 1-2 negative, 4-5 not; a given
sentiment below 0 negative, above 0 not). Otherwise the text is judged the way the category rules
read it (`bot.categories`): folded, split into words, and searched for weighted cues. Complaint
cues ("nie polecam", "still waiting", "zwrot pieniedzy", "masakra", 😡) add up; praise and thanks
("dziekuje", "love it", ❤️) take away, unless they are negated ("not happy") or sit next to a
complaint, which is how sarcasm reads ("super, trzeci tydzien czekam"). A plain question asks and
does not complain. A post is negative when its complaint outweighs its praise by a margin.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.categories import _near, _phrase, _slot, _words, fold


@dataclass(frozen=True)
class Verdict:
    negative: bool
    score: float  # our sentiment estimate, -1..1
    reason: str  # short, for logs and the timeline, no user text


_NEGATORS = ("nie", "not", "nigdy", "never", "isnt", "wasnt", "arent", "werent", "zbyt", "no")


def _unnegated(spec: str) -> str:
    """A slot that does not count right after a negating word ("nie polecam" is no praise)."""
    guards = "".join(f"(?<! {word})" for word in _NEGATORS)
    return guards + _slot(spec)


_PRAISE = (
    "dzieki$|dziekuj|dziekowa|dziek$|dzienki$|dzieks|thx$|thanks|thank|thanku|ty$|tysm$"
    "|polecam|polecamy|polecil|polecon|recommend|super$|superowo|swietn|rewelac|ekstra$|cudown"
    "|piekn|kocham|uwielbiam|najlepsz|zadowolon|brawo$|gratul|wow$|sztos|petard|mega$|fajn"
    "|bomba$|idealn|profesjonaln|sprawn|szybciutk|great$|love$|loved$|loving$|loves$|lovely"
    "|amazing|awesome|perfect|excellent|best$|happy$|beautiful|gorgeous|stunning|fantastic"
    "|brilliant|wonderful|congrat|nice$|cool$|goat$|fab$|fabulous|impressed|delighted|obsessed"
    "|pozdrawiam|pozdro|smacz|pyszn|delicious|yummy|cute$|slodk|top$|topka$|good$|dobr"
)

# Complaint cues, each with the short reason it gives. They are stems after folding.
_COMPLAINT_CUES: tuple[tuple[float, str, str], ...] = (
    (
        3.0,
        "verdict",
        _slot(
            "masakr|porazk|zenad|zenua|dno$|dnem$|tragedi|tragiczn|skandal|skandaliczn|kpina$"
            "|kpiny$|kpin|oszus|oszuk|zlodziej|zlodzie|zlodzieje|scam|scammer|fraud|naciag"
            "|beznadziej|fatal|okropn|najgorsz|badziew|szajs|syf$|gowno|gowna$|chujow|wkurw"
            "|wkurz|wscieka|wsciekl|rozczarow|zawiod|zawiedz|niezadowol|nieuczciw|bubel|bubl"
            "|kicha$|lipa$|lipny|dramat|zalamk|odradzam|wstyd|hanba|skandal|tandet|szmelc"
            "|bezczeln|olewa|olali|olewk|olewaj|worst|terrible|horrible|awful|disgust|disgrace"
            "|shameful|pathetic|useless|ripoff|thieves|thief|rubbish|garbage|trash|crap|crappy"
            "|shit|shitty|sucks$|suck$|hate$|hated$|furious|angry|disappoint|unacceptable"
            "|ridiculous|ludicrous|outrage|incompetent|nieudol|amatorsz|amator$|joke$|clowns$"
            "|cyrk$|parodi|nonsens|absurd|frustrat|fed$|sick$|wtf$|ffs$|smh$|pathetic|lousy"
            "|dreadful|appalling|shocking|poor$|misleading|wprowadza|klamc|klamst|liars$|lied$"
            "|lying$|cheat|cheated$|stolen$|ukradl|ukradli|krad|zwrot$|refund|chargeback"
            "|reklamacj|complain|complaint|rude$|chamsk|chamstw|opryskliw|niekompetent"
        ),
    ),
    (
        4.0,
        "advises against",
        _phrase(
            "nie$|not$|wouldnt$|dont$|cannot$|cant$|never$ ~2 polec|recommend"
            "; nigdy$|never$ wiecej$|again$; omij|avoid|unikaj|stay$ away$; nie$ kupuj|zamawia"
            "|ufaj|wierz|dajcie; do$ not$|dont$ buy|order|trust|waste; strata|waste ~1 czasu$"
            "|pieniedzy$|kasy$|time$|money$; szkoda$ ~1 kasy$|pieniedzy$|czasu$|nerwow$"
            "; wyrzucon ~1 pieniadze$|kasa$; oddajcie|oddac|zwroc|zwroccie|zwrocic ~2 kase$"
            "|pieniadze$|pieniedzy$|kasy$; give$|want$ ~2 my$ money$; money$ back$"
        ),
    ),
    (
        4.0,
        "negated praise",
        _phrase(
            "nie$|not$|isnt$|wasnt$|arent$|werent$|malo$ ~2 "
            "zadowol|happy|good$|great$|impressed|dobr|fajn|polec|satisf|pleased|worth|warto$"
            "|ok$|okay$|swietn|super$|najlepsz|profesjonaln|przyjemn|amused"
        ),
    ),
    (
        3.0,
        "not working",
        _phrase(
            "nie$|not$|doesnt$|dont$|didnt$|wont$|isnt$|stopped$|przestal|przestala ~2 dziala"
            "|work|working$|arrived$|doszl|dotarl|przyszl|przyszed|odpisuj|odbier|odpowiad"
            "|respond|reply|answer|ladowac|wlacza|charge|turn; nikt$|nobody$|noone$ ~2 nie$"
            "|odpisuj|odbier|odpowiad|respond|repl|answer|help|pomag; no$|zero$|brak$|bez$ "
            "odpowiedz|reply|response|answer|kontakt|contact|info$|informacji$|update"
        ),
    ),
    (
        3.0,
        "waiting",
        _near(
            "czekam|czekamy|czekac|czekal|czekala|waiting|waited|wait$",
            "tydz|tygod|tyg$|miesiac|dni$|dzien$|week|weeks$|month|days$|godzin|hours$|ages$"
            "|forever|wieki$|nadal$|dalej$|wciaz$|ciagle$|still$|juz$|already$|long$|dlugo$",
            4,
        ),
    ),
    (
        3.0,
        "where is my order",
        _near(
            "gdzie$|where$|wheres$",
            "paczk|przesylk|zamowieni|moje$|moja$|my$|order|package|parcel|refund|zwrot|kas"
            "|pieniad|money$|delivery|towar",
            3,
        ),
    ),
    (
        2.5,
        "broken or lost",
        _slot(
            "zepsut|zepsul|uszkodz|pekniet|pekl$|peklo$|popsul|rozpadl|rozwalil|zgubil|zgineli"
            "|zginel|zaginel|broken|broke$|damaged|defect|faulty|cracked|ripped|lost$|missing$"
            "|brakuje$|wadliw|niedzialaj|spleśni|plesn|mouldy|moldy|expired|przeterminow"
            "|opozni|delay|delayed$|late$|utknel|utknal|stuck$"
        ),
    ),
    (
        2.5,
        "how long",
        _phrase(
            "ile$ ~1 mozna$|jeszcze$|czekac$|razy$; jak$ dlugo$; how$ long$; how$ many$ times$"
            "; kolejny$|ktorys$|trzeci$|czwarty$|piaty$|kolejne$ raz$|tydzien$|dzien$|miesiac$"
            "; third|fourth|fifth$ time$|week$|day$|month$; again$ and$ again$; po$ raz$"
            "; znowu$|znow$|again$ ~2 to$ samo$|same$; co$ jest$ grane$; what$ the$ hell$"
            "|heck$|fuck$; seriously$"
        ),
    ),
    (
        2.0,
        "annoyed",
        _slot(
            "kurwa$|kurwy$|kurde$|kurcze$|cholera|jasna$|pierdol|spierdal|fuck|fucking|damn"
            "|bloody$|jeez|ugh$|meh$|eh$|ehh|ehhh|niestety$|unfortunately|sadly|halo$|hello$|hej$"
        ),
    ),
    (
        1.5,
        "complaint words",
        _slot(
            "problem|issue|trouble|blad$|bledy$|bledu$|error$|bug$|glitch|reklam|anul|cancel"
            "|zwrot|return|niedoplat|nadplat|overcharg|charged$|drogo$|drozej|expensive"
            "|overpriced|zdzierstw|tandeta|tanio$|cheap$|flimsy|rip$"
        ),
    ),
)

# Sarcasm: praise wrapped around a complaint reads as the complaint, twice as loud.
_SARCASM = re.compile(
    _phrase(
        "dzieki$|dziekuje$|thanks$|thank$ ~1 za$|for$ nic$|nothing$; no$ brawo$; brawo$ wy$"
        "; gratul ~3 pomysl|podejsci|obslug|service; great$|nice$|good$ job$ ~2 guys$|team$|not$"
        "; yeah$ right$; wow$ just$ wow$; love$ that$ for$ me$"
    )
)

_NEGATIVE_EMOJI = re.compile("[😡🤬😠👎💩😤🙄😒😞😢😭🤮🤢💔😫😩😑🤡]")
_POSITIVE_EMOJI = re.compile("[❤♥😍🥰👍🙏😊😀😁😃😄🔥👌💯💪🎉✨🤩💕💖💗💓💙💚💛💜🧡😘☺🤗👏🌟⭐]")

# A neutral question: it asks about something and names no problem.
_QUESTION = re.compile(
    _slot(
        "kiedy$|czy$|jak$|ile$|jaki|jakie|ktor|gdzie$|when$|do$|does$|can$|could$|will$|is$"
        "|are$|how$|what$|which$|whats$|any$|anyone$|ktos$|mozna$|macie$|bedzie$"
    )
)

_PRAISE_PATTERN = re.compile(_unnegated(_PRAISE))
_COMPLAINTS = tuple(
    (weight, reason, re.compile(pattern)) for weight, reason, pattern in _COMPLAINT_CUES
)

_PRAISE_WEIGHT = 2.0
_ANGRY_EMOJI_WEIGHT = 2.5
_HAPPY_EMOJI_WEIGHT = 1.5
_SARCASM_WEIGHT = 3.0
# A question with no more than this much complaint in it only asks.
_QUESTION_DISCOUNT = 1.0
# The complaint must outweigh the praise by this much: one vague word is no complaint.
_THRESHOLD = 2.5


def _from_stars(stars: int) -> Verdict | None:
    if stars in (1, 2):
        return Verdict(True, -1.0 if stars == 1 else -0.5, f"stars: {stars}")
    if stars in (4, 5):
        return Verdict(False, 0.5 if stars == 4 else 1.0, f"stars: {stars}")
    return None


def _from_text(text: str) -> Verdict:
    words = _words(fold(text))
    complaint, reasons = 0.0, []
    for weight, reason, pattern in _COMPLAINTS:
        if pattern.search(words):
            complaint += weight
            reasons.append(reason)
    praise = _PRAISE_WEIGHT if _PRAISE_PATTERN.search(words) else 0.0
    if _NEGATIVE_EMOJI.search(text):
        complaint += _ANGRY_EMOJI_WEIGHT
        reasons.append("angry emoji")
    if _POSITIVE_EMOJI.search(text):
        praise += _HAPPY_EMOJI_WEIGHT
    if "negated praise" in reasons:
        praise = 0.0
    if _SARCASM.search(words) or (praise and complaint >= _THRESHOLD):
        complaint += _SARCASM_WEIGHT if praise else 0.0
        praise = 0.0
        reasons.insert(0, "sarcasm")
    if "?" in text and complaint <= _QUESTION_DISCOUNT + 1.5 and _QUESTION.search(words):
        complaint = max(0.0, complaint - _QUESTION_DISCOUNT)
    total = complaint - praise
    score = round(-math.tanh(total / 4.0), 2) + 0.0
    if total >= _THRESHOLD:
        return Verdict(True, score, "text: " + ", ".join(reasons[:3]))
    if praise:
        return Verdict(False, score, "text: praise or thanks")
    if complaint:
        return Verdict(False, score, "text: too little complaint")
    return Verdict(False, score, "text: no complaint")


def judge(
    text: str | None,
    *,
    sentiment: float | None = None,
    stars: int | None = None,
    language: str | None = None,
) -> Verdict:
    """Negative or not: stars first, then a given sentiment, then the text.

    `language` is accepted as the source reports it, but both languages' cues always apply:
    comments mix Polish and English, and the sources often guess the language wrong.
    """
    if stars is not None and (verdict := _from_stars(stars)):
        return verdict
    if sentiment is not None and not math.isnan(sentiment) and sentiment != 0:
        score = max(-1.0, min(1.0, float(sentiment)))
        return Verdict(sentiment < 0, score, "given sentiment")
    if text is None or not text.strip():
        return Verdict(False, 0.0, "no text")
    return _from_text(text)
