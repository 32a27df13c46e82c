"""The customer's problem, guessed from the post's words (Polish and English).

The categories are the seed's typical problems; each has its own remedies in the playbook.
A person can correct the guess.

How the guess is made: the post is folded (lower case, no Polish diacritics), split into words,
and a few frequent English misspellings are mapped back to the word they mean. Weighted cues are
then searched for. A cue is a word stem ("przesylk" finds przesyłka, przesyłki, przesylke), a
phrase of stems ("nie doszl") or two stems close to each other ("reklamacja ... odrzucona"), so
Polish inflection, word order and a few words in between do not defeat it. Each category sums the
weights of the cues it finds; the highest sum wins, a tie goes to the more specific problem, and
a post whose best sum is too weak to mean anything is "other".
"""

from __future__ import annotations

import enum
import re
import unicodedata
from functools import cache


class Category(enum.StrEnum):
    customer_service = "customer_service"
    not_as_described = "not_as_described"
    delivery_delay = "delivery_delay"
    price_change = "price_change"
    complaint_rejected = "complaint_rejected"
    # An item that failed in use (came apart in the wash, stopped working after days), as
    # opposed to one that arrived different from its description.
    product_defect = "product_defect"
    other = "other"


# A word slot of a cue: "stem" matches any word starting with it, "word$" only that exact word,
# "a|b" either; a slot may hold a regex lookahead ("dostaw(?!c)" keeps dostawca, the supplier,
# out of delivery). In a phrase, slots are separated by spaces and "~N" allows up to N other
# words in between. The text searched is its words, each preceded and followed by one space, so
# every slot starts with a literal space: the regex engine then only tries word starts, which
# keeps a post's ~100 searches fast.
_GAP = re.compile(r"~(\d+)")


def _gap(words: int) -> str:
    return f"(?: [a-z0-9]+){{0,{words}}}" if words else ""


def _slot(spec: str) -> str:
    alternatives = [
        stem[:-1] + "(?= )" if stem.endswith("$") else stem + "[a-z0-9]*"
        for stem in spec.split("|")
    ]
    return f" (?:{'|'.join(alternatives)})"


def _phrase(spec: str) -> str:
    """Slots in a row; "a b; c d" is either phrase."""
    if ";" in spec:
        return "(?:" + "|".join(_phrase(part) for part in spec.split(";")) + ")"
    pattern, gap = "", 0
    for part in spec.split():
        if found := _GAP.fullmatch(part):
            gap = int(found.group(1))
            continue
        pattern += (_gap(gap) if pattern else "") + _slot(part)
        gap = 0
    return pattern


def _then(first: str, second: str, gap: int) -> str:
    """The first phrase, then the second within `gap` words."""
    return f"(?:{_phrase(first)}{_gap(gap)}{_phrase(second)})"


def _near(left: str, right: str, gap: int) -> str:
    """Both phrases within `gap` words of each other, in either order."""
    first, second, between = _phrase(left), _phrase(right), _gap(gap)
    return f"(?:{first}{between}{second}|{second}{between}{first})"


# Shared vocabularies. They are stems after folding, so one entry covers the inflected forms.
_COMPLAINT = (
    "reklamacj|reklamow|reklamuj|gwaranc|rekojmi|zwrot|complain|claim|warrant|guarante|return"
    "|refund|rma$|dispute|chargeback|naprawy$|repair|exchange$|wymian|replace"
)
_REJECTED = (
    "odrzuc|odrzuci|odmow|odmawia|negatywn|nieuzna|niekwalifik|reject|denied|deny|denie|declin"
    "|refus|dismiss|ineligible|closed$|zamkniet"
    "; turned$|turn$|turning$ down$; said$|says$|powiedzieli$|powiedziano$ no$|nie$"
)
_ACCEPTED = (
    "uzna|przyj|zaakcept|akcept|przysluguj|obejmuj|kwalifik|accept|honou?r|approv|cover|eligible"
)
_NEGATION = "nie$|not$|wont$|didnt$|dont$|doesnt$|cant$|never$|refused$|refuse$"
_PRICE = (
    "cen(?![tz])|cennik|price|prices$|pricing|priced$|cost$|costs$|kwot|amount$|total$"
    "|rabat|znizk|promocj|discount|coupon|kupon|promo$|brutto$|netto$|vat$"
)
_PRICE_MOVED = (
    "zmian|zmien|podnies|podnios|podwyz|wzros|nowa$|nowej$|nowe$|nowy$|nowego$|nowym$|inna$"
    "|inny$|innej$|wyzsz|wieksz|gore$|chang|raise|raising|increas|hike|hiking|up$|higher|adjust|new$"
    "|error$|blad$|bledn|now$|anul|usun|cofn|remov|cancel|revok|bump"
)
_SHIPMENT = (
    "paczk|przesylk|kurier|dostaw(?!c)|wysylk|wysyl|wysla|wysle|paczkomat|poczt|parcel"
    "|package$|packages$|deliver|delivery|shipping|shipment|shipped|ship$|courier|dispatch"
    "|tracking|sledzeni|transit|inpost|dpd$|dhl$|ups$|gls$|fedex|usps$|evri$|hermes$"
)
_ARRIVED = (
    "doszl|dotarl|przyszl|przyszed|doszedl|arriv|came$|come$|delivered|dispatched|shipped|wyslan"
)
_WHEN = (
    "styczn|styczen$|luty$|lutego$|lutym$|marzec$|marca$|marcu$|kwietn|kwiecien$|maj$|maju$"
    "|czerwiec$|czerwca$|czerwcu$|lipiec$|lipca$|lipcu$|sierpn|sierpien$|wrzesn|wrzesien$"
    "|pazdziernik|listopad|grudzien$|grudni|january|february|march$|april|may$|june$|july$"
    "|august$|september|october|november|december|poniedzial|wtor|srod|czwart|piat|sobot"
    "|niedziel|monday|tuesday|wednesday|thursday|friday|saturday|sunday|jutro$|tomorrow"
)
_TIME_SPAN = "tydz|tygod|tyg$|miesiac|dni$|dzien$|week|weeks$|month|days$"
_WAITING = "czekam|czekac|czekal|czekani|czeka$|waiting|wait$|waited$"
_REPLY = "odpowiad|odpowiedz|odpis|odbier|odzyw|reply|replie|respon|answer|odczyt"
_NOBODY = "nie$|brak$|zero$|bez$|no$|never$|without$|nobody$|nikt$|not$|noone$|ani$"
_CHANNEL = (
    "czat|chat|messenger|mail|maile|maila|email|emails|telefon|phone|dm$|dms$|ticket|zgloszeni"
    "|wiadomosc|msg|message|formularz|form$|inbox|priv$|fb$|insta$|facebook|instagram"
)
_STILL = "nadal$|dalej$|wciaz$|ciagle$|still$"
_FAILED = (
    "zepsul|zepsol|popsul|rozpadl|rozpadl|rozprul|sprul|pekl|pekla|peklo|pekly|rozkleil"
    "|odkleil|przeciek|rozlecial|rozlazl|rozdarl|przetarl|wyblakl|odbarwil|skurczyl|zmechacil|spalil"
    "|padl$|padla$|padlo$|padly$|przestal|broke$|broken$|breaks$|stopped$|fell$|falling$|died$|dead$"
    "|snapped$|cracked$|leaks$|leaking$|apart$|tore$|ripped$|split$|peeled|peeling|faded$|shrank$|shrunk$|burned$|burnt$"
)
_FEW_DAYS = "dniach$|dniu$|dnia$|day$|godzin|hours$|hour$|razie$|razach$|time$|times$"
# Use that a defect shows after: washing, wearing, charging, days of use.
_USE = (
    "prani|pranie$|wypran|uzyci|uzywani|noszeni|zalozeni|ladowani|wash|washes$|wearing|wears$"
    "|worn$|wore$|use$|uses$|using$|charge$|charges$"
)


_CUES: dict[Category, tuple[tuple[float, str], ...]] = {
    Category.complaint_rejected: (
        # The complaint itself said no to: decisive, whatever the complaint was about.
        (6.0, _near(_COMPLAINT, _REJECTED, 8)),
        (6.0, _near(_COMPLAINT, f"{_NEGATION} ~1 {_ACCEPTED}", 8)),
        # The shop's usual reasons for turning a complaint down.
        (3.0, _phrase("brak$ podstaw; bez$ naprawy$; flat$ no$")),
        # Blaming the customer for the fault.
        (
            3.0,
            _phrase(
                "caused$ by$ me$|you$|user$|customer$; user$ error$|damage$; my$|your$ fault$"
                "; wina$|winy$ ~3 mojej$|twojej$|klienta$|uzytkownika$"
            ),
        ),
        (1.5, _slot("rzeczoznaw|ekspertyz|ogledzin|inspected|inspection|assessment")),
        (3.0, _phrase("nie$|nic$ ~1 stwierdz")),
        (2.5, _phrase("nie$ ~1 wada$|wad$|wadliw|usterk")),
        (3.0, _phrase("slad|slady$ ~1 zalania$|uzytkowania$|uzywania$|upadku$|ingerencji$")),
        (3.0, _phrase("no$ fault$|faults$|defect$|problem$ found$")),
        (3.0, _phrase("outside$ ~2 policy$|warranty$|period$|window$")),
        (2.0, _phrase("wear$ and$ tear$; cosmetic$ damage$")),
        (2.0, _phrase("uszkodz|uszkodzen mechaniczn")),
        (2.0, _slot("misus|misused$")),
        (
            2.5,
            _near(
                "uzytkow|uzywani|pielegnac|eksploatac|konserwac|obchodzeni",
                "niezgodn|niewlasciw|nieprawidlow",
                2,
            ),
        ),
        (2.0, _phrase("not$|isnt$ ~2 covered$|defect$")),
        (1.5, _slot("odrzuc|odrzuci|nieuzna|odmow")),
        (
            1.0,
            _slot(
                "reklamacj|reklamow|gwaranc|rekojmi|warranty|complaint$|reject|denied|refused"
                "|declined|rzecznik|ombudsman"
            ),
        ),
    ),
    Category.price_change: (
        (5.0, _near(_PRICE, _PRICE_MOVED, 5)),
        (5.0, _slot("doplac|doplat|surcharge")),
        (3.0, _slot("przelicz|recalculat|repric")),
        (5.0, _phrase("pay$|paying$|charge$|charged$ ~2 difference$|extra$|more$")),
        (5.0, _phrase("bait$ and$ switch$")),
        (3.0, _phrase("cost|costs$|kosztow|kosztuj|zaplac|placic ~2 more$|extra$|wiecej$|drozej$")),
        (
            3.0,
            _near(
                _PRICE, "po$|after$ ~2 zamow|zlozeni|zakup|zaplac|oplac|order|buy|bought|paid", 5
            ),
        ),
        (2.5, _phrase("pelna$|pelnej$ kwot|cen; full$ price$|amount$")),
        (2.5, _phrase("more$|wiecej$ ~3 paid$|zaplacil")),
        # The price seen when ordering differs from the one charged.
        (
            2.0,
            _near(_PRICE, "faktur|invoice|koszyk|cart$|checkout|statement|kart|card$|charged$", 8),
        ),
        (2.0, _phrase("kaza|kaze|kazali|chca|chce|want|wants|asking|asked ~2 zaplac|placic|pay$")),
        (2.0, _slot("drozej|drozsz|roznic")),
        # The seed's case: out of stock at the old price.
        (4.0, _near(_PRICE, "niedostepn|unavailable|stock$|stanie$|magazyn", 4)),
        (1.5, _phrase("out$ of$ stock$")),
        (1.5, _phrase("brak$|nie$ ~2 stanie$|magazyn")),
        (1.5, _slot("niedostepn")),
        (1.0, _phrase("charged$|invoice$|billed$|kurs$; exchange$ rate$")),
    ),
    Category.product_defect: (
        # Failed after some use: the time or the use is what tells it from "not as described".
        (5.0, _then(_FAILED, f"po$|after$|within$ ~3 {_USE}|{_TIME_SPAN}|{_FEW_DAYS}", 3)),
        (4.0, _then(_FAILED, "po$|after$|within$ ~1 dwoch$|trzech$|kilku$|paru$|jednym$", 2)),
        (3.5, _phrase("przestal|przestala|przestalo|przestaly dzial|ladowac|wlacza|grzac")),
        (
            3.5,
            _phrase(
                "stopped$ working$|charging$|heating$|holding$; no$ longer$ works$|charges$"
                "; wont$|doesnt$ turn$ on$|charge$|work$ anymore$"
            ),
        ),
        (3.0, _slot("wadliw|usterk|defect|faulty|malfunction|fabryczn|manufactur")),
        (3.0, _slot("rozprul|sprul|rozpruw|unstitch|frayed|fraying|pilling")),
        (2.5, _slot(_FAILED)),
        (1.0, _slot(_USE)),
        (1.5, _phrase("nie$ dziala$; not$|doesnt$|dont$ work$|working$")),
        (1.0, _slot("jakosc|quality$|tandet|badziew|cheap$|flimsy|shoddy")),
    ),
    Category.not_as_described: (
        (4.0, _phrase("niezgodn ~2 opis")),
        (4.0, _phrase("not$ as$ described$|advertised$|pictured$|shown$")),
        (2.5, _phrase("sold$ as$; sprzedawan|sprzedany|sprzedane|sprzedana jako$")),
        (2.5, _phrase("expectation|expectations$|oczekiwania$ ~2 vs$|versus$|reality$|rzeczywist")),
        (2.0, _near("zestaw|komplet|pudelk|set$|kit$|box$|pack$", "tylko$|only$|brak|missing", 4)),
        (
            2.5,
            _slot(
                "opis|description|described$|listing|listed$|advertis|wprowadz|mislead|aukcj"
                "|ogloszeni"
            ),
        ),
        (2.5, _slot("podrob|podrabian|falsyfik|fake|knockoff|counterfeit|replica|imitac")),
        # Fake reviews or followers say nothing about the item.
        (-2.5, _near("fake|falszyw|podrob", "review|opini|recenzj|komentarz|follower|obserwuj", 2)),
        (2.5, _phrase("looks$ nothing$ like$")),
        (2.0, _slot("zdjec|zdjeci|fotk|foto|obrazk|picture|photo|pics$|pic$|image|film|video")),
        (2.0, _phrase("nie$ przypomina; nie$ to$ co$")),
        (2.5, _phrase("inn ~2 niz$|od$; different$|differs$ ~3 than$|from$")),
        (1.0, _phrase("na$|on$ ~1 stronie$|site$|website$|page$|zdjeciu$|zdjeciach$")),
        (1.5, _phrase("mial|miala|mialo|mialy|mialem|ma$ byc$|miec$")),
        (1.5, _phrase("supposed$|meant$ to$ be$")),
        (1.5, _slot("promis|obiecyw|obiecan|obiecal")),
        # "I ordered one thing and got another".
        (
            2.0,
            _near(
                "zamawial|zamowil|order|bought|kupil",
                "dostal|got$|received|przyszl|przyszed|inside$; w$ srodku$|pudelku$|paczce$",
                6,
            ),
        ),
        (1.5, _slot("inny$|inna$|inne$|innym$|innego$|innej$|inaczej$|different|wrong$|pomyl")),
        (1.5, _slot("zamiast$|instead$|swapped$|replaced$|podmieni")),
        (1.5, _slot("okazal|rzeczywist|reality$|niby$")),
        (
            1.5,
            _slot(
                "uszkodz|pekniet|peknie|pekl|zepsut|zepsul|wadliw|porysow|rozkleil|rozpad|broken"
                "|damaged|cracked|defect|faulty|scratch|torn$|ripped$|stitching"
            ),
        ),
        (1.5, _slot("niezgodn")),
        (1.0, _slot("kolor|colou?r|specs$|specyfik|model$|version$|wersj|brand$|mark")),
        (1.0, _slot("moc$|power$|pojemn|capacity|[0-9]+(?:w|kw|gb|tb|mah|cm|mm|ml|kg|hz|mp)$")),
        (1.0, _slot("rozmiar|size$|sizing|metk|label|tag$|wymiar|dimension|cm$|mm$|ml$|inch")),
        (1.0, _slot("oszuk|scam|klamst|lied$|cheated$|deceiv|brakuje$|missing$")),
        (
            1.0,
            _slot(
                "material|cotton|bawelna|skor|leather|plastik|plastic|polyester|poliester|genuine"
                "|silver|srebr|gold$|zlot|metal|steel|stal$|stali$|drewn|wood$|wooden$|prawdziw"
                "|oryginal|authentic|solid$|tandet|badziew|cheap$|flimsy|shoddy"
            ),
        ),
        (
            1.0,
            _slot("mniejsz|wieksz|krotsz|dluzsz|ciensz|smaller|bigger|larger|shorter|thinner"),
        ),
    ),
    Category.delivery_delay: (
        (4.0, _phrase(f"{_NEGATION}|hasnt$|havent$|still$ ~1 {_ARRIVED}")),
        (4.0, _phrase("nothing$|nic$|never$|hasnt$|not$ ~2 shown$|showed$|turned$ up$")),
        (3.0, _phrase(f"nie$|brak$|no$|bez$ ~1 {_SHIPMENT}|towaru$|zamowieni")),
        (3.0, _near("gdzie$|where$|wheres$", f"{_SHIPMENT}|order|zamowieni|towar", 2)),
        (2.5, _slot("opozni|spozni|delay|late$|overdue|wlecze|utknel|utknal|stuck$|zaginel")),
        (2.5, _phrase("przeklad|przesuw|reschedul|postpon; pushed$ back$")),
        (2.5, _phrase("zgubi|lost$ ~2 paczk|przesylk|package|parcel|order|shipment")),
        (2.0, _near(f"{_ARRIVED}|expect|spodziew|supposed$|mial|dostal; got$ it$", _WHEN, 3)),
        (
            2.5,
            _phrase(
                f"{_ARRIVED} ~3 after$|po$|later$|pozniej$; showed$|turned$ up$ ~3 after$|later$"
                "; too$|za$ late$|pozno$"
            ),
        ),
        (2.5, _phrase("wraca|wrocila|returned$|sent$ ~2 nadawcy$|sender$")),
        (2.0, _phrase(f"still$ waiting$; {_STILL} ~1 nic$|nothing$|bez$|brak")),
        (2.0, _phrase("czas$|w$ realizacji$; in$ transit$; estimated$ delivery$")),
        (2.0, _slot("processing$|termin|dopiero$|forever$")),
        (1.5, _slot(_SHIPMENT)),
        (1.5, _slot(_WAITING)),
        (1.0, _slot(_TIME_SPAN)),
        # Goods bought for a date are the ones whose lateness hurts.
        (
            1.0,
            _slot(
                "swieta$|swiat$|christmas|xmas$|urodzin|birthday|wesel|wedding|komuni|prezent|gift"
            ),
        ),
        (0.5, _slot("zamow|zamaw|order|towar")),
    ),
    Category.customer_service: (
        # Waiting for an answer is about the service, not about the goods.
        (5.0, _near(_WAITING, _REPLY, 4)),
        (4.0, _then(_NOBODY, _REPLY, 2)),
        (3.0, _phrase("left$ on$ read$; on$ hold$; hung$|hangs$|hang$ up$; call$ dropped$")),
        (3.0, _phrase("odlozyl|odlozyla|rzucil|rzucila ~1 sluchawk; wisz|wisial ~3 linii$")),
        (
            3.0,
            _slot(
                "chamsk|cham$|niegrzeczn|opryskliw|bezczeln|arogan|niemil|krzycz|pretensj|rude$"
                "|rudely|yell|shout|scream|condescending|disrespect|unprofessional|impolite|arrogant"
            ),
        ),
        (
            2.5,
            _slot(
                "obslug|infolini|konsultant|helpdesk|helpline|hotline|support$|dodzwoni|skontakt"
                "|kontakt|contact"
            ),
        ),
        (2.5, _phrase("customer$ service|servis|support|care|experience; call$ cent")),
        (
            2.5,
            _phrase(
                "get$|got$ in$ touch$; reach$|speak$|talk$|porozmawia ~1 anyone|anybody|someone"
                "|somebody|you$|a$|human$|person$|kims$|kogos$|czlowiek"
            ),
        ),
        (2.5, _phrase("oddzwon|callback; call$ me$|you$ back$")),
        (2.5, _slot("zbyl|zbyw|ignor|rozlaczy|smial|laughed|transferr|kopiuj|copy|canned")),
        (2.5, _slot("disconnect|hung$|hangs$")),
        (2.5, _near("klient|customers$|people$", "rozmawia|traktuj|treat|talk|speak", 3)),
        (2.5, _phrase("asked|asking|pytal|pytam|zadal|zapyta ~3 question|pytani")),
        # Asking again and again.
        (2.0, _phrase("pytam|pisze|pisalam|pisalem|dzwonie ~2 raz$|razy$")),
        (2.0, _phrase("asked|asking|emailed|called|calling|wrote|messaged ~3 times$")),
        (2.0, _slot("cisza$|milcz|silence$|silent$|crickets$|ghosted|ghosting")),
        (2.5, _slot("zablokow|zbanow|blocked$|banned$")),
        # Hiding criticism instead of answering it.
        (2.5, _near("usuw|usun|ukryw|delet|hid|hiding", "komentarz|opini|comment|review|post$", 3)),
        (2.0, _near("nobody$|nikt$|noone$; no$ one$", f"{_CHANNEL}|join|pick|help|pomog", 4)),
        (2.0, _slot("czlowiek|human$|agent|rep$|reps$|staff$|bot$|pani$|pan$|lady$|guy$")),
        (1.5, _slot("traktuj|treat")),
        (1.5, _slot(_CHANNEL)),
        (1.0, _slot(_REPLY)),
    ),
}


@cache
def _patterns() -> dict[Category, tuple[tuple[float, re.Pattern[str]], ...]]:
    # Compiled when the first post is scored: about 25 ms that every start would otherwise
    # spend before the bot serves anything (reminders overdue at a restart wait for it).
    return {
        category: tuple((weight, re.compile(pattern)) for weight, pattern in cues)
        for category, cues in _CUES.items()
    }


# When sums tie, the more specific problem wins: a refused complaint names what the shop did
# last, a changed price outranks the order it is about, and a slow service is the broadest.
_PRIORITY = (
    Category.complaint_rejected,
    Category.price_change,
    Category.product_defect,
    Category.not_as_described,
    Category.delivery_delay,
    Category.customer_service,
)

# Below this nothing stands out enough: one vague word ("kolor", "email") is not a problem.
_MIN_SCORE = 2.0

# Two different sums of money in one post are most often "I was told one price, then another".
_MONEY = re.compile(
    r"(?:[$£€]\s?\d+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?\s?(?:zl|pln|eur|euro|usd|gbp|[$£€])"
    r"(?![a-z])|\d+[.,]\d{2}(?!\d))"
)
_MONEY_WEIGHT = 2.0

_APOSTROPHES = re.compile(r"['’`´]")
_NON_WORD = re.compile(r"[^a-z0-9]+")

# Frequent English misspellings of the words the cues rely on: every form one slip away
# (a dropped, doubled or swapped letter, or a sound-alike letter) maps back to the word. A slip
# that only cuts the end off ("damage" from "damaged") is a real word of its own, so it is kept.
_TYPO_WORDS = (
    "received receive delivery delivered deliver service customer package parcel courier"
    " complaint warranty description described shipping shipment tracking arrived refund"
    " rejected refused support response reply replied waiting damaged defective different"
    " advertised misleading pictures picture changed increase surcharge dispatched"
)
_TYPO_TARGETS = frozenset(_TYPO_WORDS.split())
_SOUND_ALIKE = {
    "a": "e",
    "e": "ai",
    "i": "ey",
    "y": "i",
    "c": "sk",
    "s": "cz",
    "k": "c",
    "z": "s",
}


def _slips(word: str) -> set[str]:
    slips: set[str] = set()
    for i in range(len(word)):
        slips.add(word[:i] + word[i + 1 :])
        slips.add(word[:i] + word[i] + word[i:])
        if i + 1 < len(word):
            slips.add(word[:i] + word[i + 1] + word[i] + word[i + 2 :])
        for other in _SOUND_ALIKE.get(word[i], ""):
            slips.add(word[:i] + other + word[i + 1 :])
    return slips


_TYPOS: dict[str, str] = {
    slip: word
    for word in _TYPO_TARGETS
    for slip in _slips(word)
    if len(slip) >= 5 and slip not in _TYPO_TARGETS and not word.startswith(slip)
}


# Polish letters folded by a table first: most posts are then plain ASCII and skip the slower
# Unicode decomposition (ł has no decomposition at all, so it needs the table anyway).
_POLISH = str.maketrans("ąćęłńóśźż", "acelnoszz")


def fold(text: str) -> str:
    """Lower case without diacritics."""
    text = text.lower().translate(_POLISH)
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _words(folded: str) -> str:
    """Words separated by single spaces, so cues can count words between stems."""
    words = _NON_WORD.split(_APOSTROPHES.sub("", folded))
    return "".join(f" {_TYPOS.get(word, word)}" for word in words if word) + " "


def scores(text: str) -> dict[Category, float]:
    """How strongly the post points at each problem (0 for none)."""
    folded = fold(text)
    words = _words(folded)
    found = {
        category: sum(weight for weight, pattern in cues if pattern.search(words))
        for category, cues in _patterns().items()
    }
    if len({amount.replace(" ", "") for amount in _MONEY.findall(folded)}) >= 2:
        found[Category.price_change] += _MONEY_WEIGHT
    return found


def classify(text: str) -> Category:
    """The category with the strongest cues; ties go to the more specific problem."""
    found = scores(text)
    best = max(_PRIORITY, key=lambda category: (found[category], -_PRIORITY.index(category)))
    return best if found[best] >= _MIN_SCORE else Category.other
