"""Is a post negative? An offline Polish and English judgement for posts that carry no sentiment.

Facebook and Instagram comments come with no sentiment, and most of them are praise, questions
or thanks, not complaints. Only a negative post may open a crisis, so each one is judged here.

Stars and a sentiment given by the source decide first (stars 1-2 negative, 4-5 not; a given
sentiment below 0 negative, above 0 not). Otherwise the text is read the way the category rules
read it (`bot.categories`): folded (lower case, no diacritics), split into words with common
English misspellings mended, and searched for weighted cues written as word stems and short
phrases. Complaint cues ("nie polecam", "still waiting", "gdzie moja paczka", "masakra", 😡) add
up; praise and thanks ("dziekuje", "love it", ❤️) take away. Then:

- a negated word turns over: "nie polecam" and "not happy" complain, "not bad" and
  "no complaints" do not;
- praise next to a real complaint is sarcasm ("super, trzeci tydzien czekam") and counts for the
  complaint; but when the post ends on praise after "ale"/"but" ("took a while, but worth the
  wait") the complaint was resolved;
- a question that names no problem only asks ("kiedy wysylka?"), while one with a problem in it
  still complains ("ile mozna czekac??").

A post is negative when its complaint outweighs its praise by a margin, so one vague word
("problem", "zwrot") is not enough on its own.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache

from bot.categories import _near, _phrase, _slot, _words, fold


@dataclass(frozen=True)
class Verdict:
    negative: bool
    score: float  # our sentiment estimate, -1..1
    reason: str  # short, for logs and the timeline, no user text


# Words that turn the next word over: "nie polecam", "not happy", "never disappoint".
_NEGATORS = ("nie", "nigdy", "bez", "zero", "not", "no", "never", "isnt", "wasnt", "arent")


def _unnegated(spec: str) -> str:
    """A slot that does not count right after a negating word."""
    # The slot's leading space comes first, so the search still only tries word starts.
    return " " + "".join(f"(?<! {word} )" for word in _NEGATORS) + _slot(spec)[1:]


# Phrases that look like complaints but say all is well; they are taken out before the search
# and count as praise.
_ALL_WELL = _phrase(
    "no$|zero$|bez$|brak$|nie$ ~2 problem|problemow$|issue|issues$|complaints$|complaint$"
    "|zastrzezen$|zarzutu$|zarzutow$|uwag$|klopot|klopotu$"
    "; not$ ~1 bad$|worse$; nie$ jest$ zle$; niezle$|niezly$|niezla$|niezlego$"
    "; never$|nigdy$|nie$ ~1 disappoint|zawiod|zawiedli|zawodzi"
    "; nie$ moge$|mozemy$ ~2 doczekac; cant$|cannot$ wait$; worth$|warto$ ~2 wait|czekac|czekania$"
    "; want|need|chce ~3 so$ bad$|badly$; killing$ it$; all$ good$; wszystko$ ok$|gra$|super$"
    "; sorted$|resolved$|fixed$|solved$|rozwiazany|rozwiazali|rozwiazal|naprawili|wymienili"
    "|przyjety$|przyjeta$|przyjeli$|uznali$|rozpatrzon|apologis|apologiz|przeprosil"
    "; na$ piatke$|szostke$|medal$; no$ worries$; nie$ ma$ problemu$; top$ notch$"
    "; cant$|cannot$ beat$|fault$; cant$|cannot$ go$ wrong$; wont$ regret$"
    "; nie$ pozalujecie$|zalujecie$"
)

# Phrases that hold a complaint word but complain about nobody: they are taken out unscored.
_HARMLESS = _phrase(
    "by$ mistake$|accident$; przez$ pomylke$; omylkowo$; przypadkiem$; pomylilam$; pomylilem$"
    "; my$ bad$|mistake$; sorry$|przepraszam$|oops$|ups$ ~3 wrong|pomyl|zly$|zle$|zla$"
    "; i$|ja$ ordered$|zamowil"
    "|zamowilam|zamowilem|wybral|wybralam|wybralem|picked$|chose$ ~2 wrong$|zly$|zla$|zle$"
)

_PRAISE = (
    "dzieki$|dziekuj|dziekowa|dziek$|dzienki$|dzieks|thx$|thanks|thank|thanku|ty$|tysm$|cheers$"
    "|polecam|polecamy|polecil|polecon|recommend|super$|superowo|swietn|rewelac|ekstra$|cudown"
    "|cudo$|piekn|kocham|uwielbiam|najlepsz|zadowolon|zachwyc|brawo$|gratul|wow$|sztos|petard"
    "|mega$|fajn|bomba$|idealn|profesjonal|sprawn|szybciutk|szacun|szacunek$|zloto$|medal$"
    "|great$|love$|loved$|loving$|loves$|lovely|amazing|awesome|perfect|excellent|best$"
    "|happy$|glad$|beautiful|gorgeous|stunning|fantastic|brilliant|wonderful|congrat|nice$"
    "|cool$|goat$|fab$|fabulous|impress|delight|obsessed|pozdrawiam|pozdro|pozdrowienia$|smacz"
    "|pyszn|delicious|yummy|cute$|slodk|top$|topka$|good$|dobr|helpful|pomocn|mil$|mila$|mily$"
    "|mile$|lovely|quick$|fast$|szybk|worth$|warto$|works$|fits$|pasuje$"
)

# Complaint cues: weight, the short reason a verdict gives, the cue.
_COMPLAINT_CUES: tuple[tuple[float, str, str], ...] = (
    (
        4.0,
        "sarcasm",
        _phrase(
            "dzieki$|dziekuje$|dziekujemy$|thanks$|thank$|thx$ ~1 za$|for$ nic$|nothing$"
            "; no$ brawo$; brawo$ wy$; wow$ just$ wow$; yeah$ right$; love$ that$ for$ me$"
            "; great$|nice$|good$ job$ not$; gratul ~3 pomysl|podejsci|klienta$|stracic"
            "; ladnie$ to$ tak$; thanks$ a$ lot$ ~3 late|waiting|nothing$|again$"
        ),
    ),
    (
        3.0,
        "harsh words",
        _phrase(
            "do$ bani$|dupy$|kitu$|niczego$; bs$; bullshit$; a$ mess$; very$|so$|really$ poor$"
            "; poor$ quality$|service$|customer$|experience$|communication$|packaging$|food$"
            "|product$|value$; poorly$"
        )
        + "|"
        + _unnegated(
            "masakr|porazk|zenad|zenua|zenuj|dno$|dnem$|tragedi|tragiczn|skandal|kpina$|kpiny$"
            "|kpin$|oszus|oszuk|zlodziej|zlodzie|scam|fraud|naciag|beznadziej|fatal|okropn"
            "|najgorsz|badziew|szajs|syf$|gowno|gowna$|chujow|wkurw|wkurz|wscieka|wsciekl"
            "|rozczarow|zawiod|zawiedz|niezadowol|nieuczciw|bubel|bubl|kicha$|lipa$|lipny|dramat"
            "|zalamk|odradzam|wstyd|hanba|tandet|szmelc|dziadostw|fuj$|bezczeln|olewa|olali"
            "|olewk|olewaj|niemil|niegrzeczn|chamsk|chamstw|opryskliw|niekompetent|nieudol"
            "|amatorsz|worst|terrible|horrible|awful|disgust|disgrace|shame|pathetic|useless"
            "|ripoff|thieves|thief|rubbish|garbage|trash|junk$|crap|shit|sucks$|suck$|hate$"
            "|hated$|furious|angry|disappoint|unacceptable|ridiculous|outrage|incompetent"
            "|clowns$|cyrk$|parodi|absurd|frustrat|wtf$|ffs$|smh$|lousy|dreadful|appalling"
            "|shocking|misleading|wprowadza|klamc|klamst|liars$|lied$|lying$|cheat"
            "|stolen$|ukradl|ukradli|horrend|rude$|rudely$|embarrass|unbelievable|bad$|badly$|worse$"
            "|gorzej$|gorsz|pogorsz|yuck$|gross$|ew$|eww$|ruined$|ruin$|zniszcz|classy$|joke$"
            "|slab|szok$|szokuj|kompromit|zal$|przykr|chlam|bezuzyteczn|nieprofesjonal|fuming"
            "|livid|gutted|appalled|dire$|abysmal|atrocious|shambles|hopeless|unhappy|dissatisf"
            "|upset$|annoy|beware|unprofessional|unreliable|niesolidn|nierzetel|irytuj|wkurzaj"
        ),
    ),
    (
        4.0,
        "advises against",
        _phrase(
            "nie$|not$|wouldnt$|dont$|cannot$|cant$|never$ ~2 polec|recommend"
            "; nigdy$|never$ ~1 wiecej$|again$; omij; avoid; unikaj; stay$ away$"
            "; nie$ kupuj|zamawia|ufaj|wierz|dajcie|warto$; do$ not$ buy|order|trust|waste"
            "; dont$ buy|order|trust|waste|bother"
            "; strata|waste ~1 czasu$|pieniedzy$|kasy$|time$|money$|nerwow$"
            "; szkoda ~1 kasy$|pieniedzy$|czasu$|nerwow$|gadac$|slow$|money$"
            "; wyrzucon ~1 pieniadze$|kasa$; oddajcie|oddac|zwroc|zwroccie ~2 kase$|pieniadze$"
            "|pieniedzy$|kasy$; give$|want$ ~2 money$|refund$"
            "; money$|difference$ back$; zwrot$|zwrotu$ ~1 roznicy$"
            "; first$|pierwszy$ and$|i$ last$|ostatni$; last$ chance$; ostatnia$|ostatni$ szans"
            "; last$ time$ ~2 ordering$|buying$|shopping$|using$|order$|buy$|shop$"
            "; ostatni$ raz$ ~2 zamawiam|kupuj|kupil|dal|korzyst; konkurencj; elsewhere$"
            "; krok$ w$ tyl$; step$ backward|back$; taking$ the$ piss$; nieporozumieni"
            "; zero$|0$|no$ stars$|star$|gwiazdek$; done$ with$ you$; im$ done$"
            "; mam$ ~1 dosc$|dosyc$; z$ takim$ podejsciem$; with$ that$|this$ attitude$"
            "; chce|chcemy|want$|prosze$ ~2 zwrot|refund; zwrot$|zwrotu$ ~1 pieniedzy$|kasy$"
            "|srodkow$; sick$|fed$|tired$ ~1 of$|up$; jakis$|jakies$ zart$; to$ zart$"
            "; kiedys$ ~2 lepiej$|lepsz|lepsi$; used$ to$ be$ better$|good$"
        ),
    ),
    (
        4.0,
        "how much longer",
        _phrase(
            "ile$ ~1 mozna$|jeszcze$|razy$; jak$ dlugo$ jeszcze$|mam$|mamy$|to$|bedzie$"
            "; how$ much$ longer$ ~3 wait|czekac|take|have$|do$|will$; how$ many$ more$|times$"
            "; how$ long$ ~2 still$|more$|wait$; w$ koncu$ ~3 odpisze|odpowie|odezwie|odbierze"
            "|oddzwoni; wreszcie$|finally$|ever$ ~3 odpisze|odpowie|odezwie|odbierze|oddzwoni"
            "|answer|reply|respond|call$; finally$|ever$ ~3 get$ back$"
        ),
    ),
    (
        2.5,
        "chasing",
        _phrase(
            "anyone$|anybody$|someone$|ktos$|nikt$ ~3 answer|reply|respond|odpisze|odpowie"
            "|odezwie|odbierze|oddzwoni; please$|prosze$|pls$|plz$ ~1 reply|respond|answer"
            "|odpis|odpowiedz|odezw|oddzwon|contact|kontakt|sort|fix; need$ to$ fix$|sort$"
            "; fix$ your$; musicie$|trzeba$ ~1 naprawic$|poprawic$|ogarnac$"
        ),
    ),
    (
        4.0,
        "negated praise",
        _phrase(
            "nie$|not$|isnt$|wasnt$|arent$|werent$|malo$|hardly$ ~2 "
            "zadowol|happy|good$|great$|impress|dobr|fajn|polec|satisf|pleased|worth|warto$|ok$"
            "|okay$|swietn|super$|najlepsz|profesjonal|przyjemn|amused|cool$|nice$|fair$|acceptab"
        ),
    ),
    (
        4.0,
        "no answer",
        _phrase(
            "nie$|not$|doesnt$|dont$|didnt$|wont$|isnt$|nikt$|nobody$|noone$|never$|hasnt$"
            "|havent$|still$|przestal|przestala|stopped$ ~2 dziala|work|working$|arrived$|doszl"
            "|dotarl|przyszl|przyszed|odpisuj|odpisal|odbier|odpowiad|odpowie|respond|reply"
            "|replied$|answer|ladowac|wlacza|dostal|received$|receive$|get$|got$|dispatched$|pomoz"
            "|przyjech|przyjecha|przywiozl|przywiezli|came$|showed$|turned$|dojechal|reaguj"
            "|shipped$|sent$|wyslan|czyta|read$|care$|help|pomag|pomog|wie$|knows$|ogarnia"
            "|rozumie$|rozumiecie$; got$|get$ nothing$; nic$ z$ tego$"
            "; no$|zero$|brak$|bez$ ~1 odpowiedz|reply|response|answer|kontakt|contact|info$"
            "|informacji$|update|odzewu$|reakcji$; cisza$; silence$; crickets$; ghost; ignor"
            "; hung$|hangs$ up$; rozlaczy; odlozyl ~1 sluchawk; nie$ istnieje$; doesnt$ exist$"
            "; even$|actually$|ogole$|ogol$|wogole$ ~2 read|czyta|odpisuj|odpowiad|odbier|sprawdz"
            "|check|answer|reply|care|pracuje|work"
            "; anyone$|anybody$|ktos$ ~1 there$|here$|tu$|pracuje|home$"
            "; usuwa|usun|delet|hiding$|hide$ ~2 komentarz|comment|opini|review|pytani|question"
            "|wpis|post"
            "; i$|and$ ~1 nadal$|dalej$|still$ nic$|nothing$; i$|and$ nic$|nothing$|cisza$"
            "; towaru$|paczki$|zamowienia$|odpowiedzi$ brak$; brak$ towaru$|paczki$|zamowienia$"
            "; laughing$|laughed$ at$; smial|smiali ~1 sie$; zablok|blocked$|banned$"
        ),
    ),
    (
        3.0,
        "waiting",
        "(?:"
        + _near(
            "czekam|czekamy|czekac|czekal|czekala|czekania$|waiting|waited|wait$",
            "tydz|tygod|tyg$|miesiac|dni$|dzien$|week|weeks$|month|days$|godzin|hours$|hour$"
            "|ages$|forever|wieki$|nadal$|dalej$|wciaz$|ciagle$|still$|nic$|nothing$|minut"
            "|minutes$",
            5,
        )
        + "|"
        + _phrase("on$ hold$; na$ linii$")
        + ")",
    ),
    (
        4.0,
        "where is my order",
        _phrase(
            "gdzie$|where$|wheres$ ~2 moja$|moje$|moj$|mojego$|mojej$|my$|is$|jest$|sa$|are$|the$"
            " ~2 paczk|przesylk|zamowieni|order|package|parcel|refund|zwrot|kase$|kasa$|pieniad"
            "|money$|delivery|towar|przeprosin|apolog|stuff$|rzeczy$|item|faktur|invoice"
            "; gdzie$|where$|wheres$ ~1 przeprosin|apolog|refund|zwrot"
            "; co$ z$ ~1 zamowieni|paczk|przesylk|zwrot|kas|pieniadz|reklamacj"
        ),
    ),
    (
        2.5,
        "broken or late",
        _unnegated(
            "zepsut|zepsul|uszkodz|pekniet|pekl|peklo$|popsul|rozpadl|rozpadaj|rozwalil|rozkleil"
            "|zgubil|zgubion|zgineli|zginel|zaginel|zaginiona|broken|broke$|damaged|defect"
            "|faulty|cracked|crash|ripped|tear$|lost$|missing$|brakuje$|wadliw|niedzialaj"
            "|plesn|mouldy|moldy|expired|przeterminow|opozni|spozni|delay|late$|utknel|utknal"
            "|stuck$|awari|outage|smashed$|cieknie|leak|cold$|zimn|rozmiekl|wysypk|rash$"
            "|blisters$|poisoning$|zatrucie$|mechaci|pilling$|fell$|padla$|padl$|cieknie"
            "|porysowan|scratched$|brud|dirty$|stained$|wrong$|zla$|zly$|zle$|pomyl|mistake"
            "|nowhere$|bug$|glitch|rip$|hidden$|ukryt|podwojn|overcharg"
            "|uzywany$|used$|odrzuc|odmow|reject|denied|refus|pobral|pobrali|pobrano|charged$"
            "|billed$|unresolved$|nierozwiaz|nierozpatrz|spadl$|spadla$|spadlo$|downhill$"
            "|koszmar|nightmare|wiesza|zawiesza|freez|odpadl|odklej|brakuj|brakowa|wgniec|zbit"
            "|zgniec|dented$|crushed$|stale$|rotten$|zgnil|czerstw|nieswiez|died$|spam|pust$"
            "|pusta$|puste$|pusty$|empty$|pobran|zacina|lag$|lags$|laggy$|lagging$|rozbit|stluk"
            "|clueless$"
            "|niejadaln|inedible|underwhelm|dziur|hole$|holes$|spalil|burnt$|milcz|soggy|przemaka"
            "|shrank$|shrunk$|skurczy|zbiegl|farbuj|odbarwi|faded$|zaluj|zalowa|regret"
            "|podwyzk|podwyzsz|podniesien|podniesli|podnosicie|potracil"
        ),
    ),
    (
        3.0,
        "not as ordered",
        _phrase(
            "niezgodn; not$ as$ described$|advertised$|pictured$|shown$; nothing$ like$"
            "; bez$|without$ ~1 slowa$|uprzedzenia$|pytania$|powodu$|telling$|notice$|warning$"
            "|asking$|explanation$|reason$|informacji$|zgody$|consent$|podania$"
            "; jak$ mozna$ tak$; how$ dare$; with$ no$ explanation$|reason$|warning$|notice$"
            "; przestancie|stop$ ~2 spam|wysyl|dzwon|send|call|charg|pobiera"
            "; why$ do$ you$ keep$; you$ keep$ ~1 cancel|losing|sending|charging|getting"
            "; price$|prices$ ~2 increase|hike|up$|rise|went$; fell$|came$ off$|apart$"
            "; tasted$|smelled$|smells$|tastes$ off$; hit$ my$ car$"
            "; obiecywal|obiecal|obiecan|promised$|promise$; bez$|no$|without$ internetu$|pradu$"
            "|wody$|ogrzewania$|zasiegu$|internet$|power$|signal$|wifi$|heating$; mam$|musze$ ~1 "
            "placic$|zaplacic$|doplacic$; have$ to$ pay$; only$|just$ to$ be$ told$"
            "; inny$|innym$|inna$|inne$|innej$|innego$ ~2 niz$; mial|miala|mialo|mialy ~1 byc$"
            "; supposed$ to$ be$|have$|arrive$; should$ have$ been$|arrived$; co$ to$ za$ pomysl"
            "; whose$ idea$; cos$ ~1 nie$ tak$; something$ ~1 wrong$; nie$ ma$ mowy$"
            "; marked$|says$|saying$|status$ ~3 "
            "delivered$|dostarczon|odebran"
            "; tak$|that$|so$ trudno$|hard$|difficult$; cant$ believe$ you$; done$ with$ ~2 "
            "company$|firma$|firmy$|sklep|shop$|store$|brand$; dosc$ ~2 firm|sklep|was$"
        ),
    ),
    (
        2.0,
        "you let us down",
        # "Nie odpisujecie", "nie oddzwoniliscie": no to what the shop (you, plural) does or did;
        # an imperative ("nie przegapcie", "nie zapomnijcie") has no vowel before "cie".
        " nie [a-z]*(?:[aeiy]|l[iy]s)cie(?= )|"
        + _phrase(
            "you$ never$|didnt$|dont$|havent$|hasnt$|wont$|cant$|couldnt$|refuse|forgot|still$"
            "|failed$|keep$; nie$ moge$|mozemy$|moglam$|moglem$|da$ ~2 zalog|zaplac|dodzwon"
            "|skontakt|otworz|zamowi|odebrac|uruchom|pobrac|wejsc; cant$|couldnt$|unable$ ~2 log"
            "|pay$|access|open$|order$|checkout|sign$; cant$|couldnt$ get$ through$"
        ),
    ),
    (
        2.5,
        "again and again",
        _phrase(
            "kolejn|ktorys$|trzeci|czwart|piat|drugi; third; fourth; fifth"
            "; second$ ~1 time$; znowu$; znow$; again$; another$; po$ raz$; jak$ zwykle$"
            "; as$ usual$|always$; 2|3|4|5|6|dwa$|trzy$|cztery$|piec$|kilka$|several$|multiple$"
            "|two$|three$|four$|five$ ~1 razy$|raz$|times$; charged$|pobral ~2 twice$|podwojnie$"
            "; dalej|nadal|wciaz|ciagle"
            "|still$ ~1 to$|the$ samo$|same$; co$ jest$ grane$; co$ sie$ dzieje$"
            "; co$ wy$ robicie$; what$ are$ you$ doing$; jak$ to$ mozliwe$; how$ is$ it$ possible$"
            "; how$ come$; whats$|what$"
            " ~1 going$ on$|happening$; what$ the$ hell$|heck$|fuck$; halo$"
            "; hello$; ogarnijcie|ogarnac|ogarnij; sort$ it$ out$; do$ better$; fix$ it$"
            "; get$ it$ together$"
        ),
    ),
    (
        2.0,
        "slow",
        _phrase(
            "1|2|3|4|5|6|7|8|9|10|dwa|trzy|cztery|piec|szesc|one$|two$|three$|four$|five$|six$"
            "|several$|kilka ~1 tygodni|tygodnie$|tyg$|miesiac|miesiecy$|weeks$|months$|godzin"
            "|hours$|dni$|days$; its$|been$|minal|minelo|minely|mija ~2 tydz|tygod|miesiac|week"
            "|month|days$|dni$|dzien$; still$ no$|not$|nothing$|hasnt$|havent$; nadal$|dalej$"
            "|wciaz$|ciagle$ ~1 nie$|nic$|brak$|bez$; took$|for$ ~1 weeks$|months$|forever$|ages$"
            "; took$ ~1 week$|month$; ciagnie$|dragging$|drags$ ~1 sie$|on$; konca$ nie$ widac$"
            "; no$ end$ in$ sight$"
            "; juz$|od$|przez$|for$|over$ ~1 1|2|3|4|5|6|7|8|9|10|dwa|trzy|cztery|piec|two$"
            "|three$|four$|five$|several$|kilka ~1 tygod|tydz|miesi|week|month|dni$|days$"
        ),
    ),
    (
        1.5,
        "annoyed",
        _slot(
            "kurwa$|kurwy$|kurde$|kurcze$|cholera|pierdol|spierdal|fuck|fucking|damn|bloody$"
            "|really$|naprawde$|jeez|ugh$|meh$|ehh|ehhh|niestety$|unfortunately|sadly|szkoda$"
            "|seriously$|serio$"
            "|downhill$|down$"
        ),
    ),
    (
        1.5,
        "complaint words",
        _slot(
            "problem|issue|trouble|blad$|bledy$|bledu$|error$|reklam|anul|cancel|zwrot|return"
            "|refund|chargeback|complain|niedoplat|nadplat|charged$|drogo$|drozej|drogie$|drogi$"
            "|expensive|overpriced|pricey$|zdzierstw|cheap$|flimsy|fees$|fee$|oplat|wymian"
            "|exchange|manager|kierownik|rzecznik|uokik|ombudsman|prawnik|lawyer|sad$|smutn"
        ),
    ),
)

# These only sharpen a complaint: on their own, next to praise, they are no sarcasm.
_INTENSIFIERS = frozenset({"again and again", "annoyed", "complaint words"})

_NEGATIVE_EMOJI = re.compile("[😡🤬😠👎💩😤🙄😒😞😢💔😫😩😑🤡🙃🤮🤢😖😣]")
_POSITIVE_EMOJI = re.compile(
    "[❤♥😍🥰👍🙏😊😀😁😃😄🔥👌💯💪🎉✨🤩💕💖💗💓💙💚💛💜🧡😘☺🤗🌟🤤😋☀🎄👋]"
)

# A question that names no problem only asks.
_QUESTION = _slot(
    "kiedy$|czy$|jak$|ile$|jaki|jakie|ktor|gdzie$|mozna$|macie$|bedzie$|jest$|da$|mam$"
    "|when$|do$|does$|can$|could$|will$|is$|are$|how$|what$|which$|whats$|any$|anyone$"
    "|who$|where$|would$|should$"
)

# "..., ale ...", "..., but ...": what follows carries the writer's conclusion.
_CONTRAST = _slot("ale$|lecz$|jednak$|but$|however$|though$|although$|still$")


@dataclass(frozen=True)
class _Patterns:
    all_well: re.Pattern[str]
    harmless: re.Pattern[str]
    praise: re.Pattern[str]
    complaints: tuple[tuple[float, str, re.Pattern[str]], ...]
    question: re.Pattern[str]
    contrast: re.Pattern[str]


@cache
def _patterns() -> _Patterns:
    # Compiled when the first text is judged: about 20 ms that every start would otherwise
    # spend before the bot serves anything (reminders overdue at a restart wait for it).
    return _Patterns(
        all_well=re.compile(_ALL_WELL),
        harmless=re.compile(_HARMLESS),
        praise=re.compile(_unnegated(_PRAISE)),
        complaints=tuple(
            (weight, reason, re.compile(cue)) for weight, reason, cue in _COMPLAINT_CUES
        ),
        question=re.compile(_QUESTION),
        contrast=re.compile(_CONTRAST),
    )


_PRAISE_WEIGHT = 2.0
_ALL_WELL_WEIGHT = 2.0
_ANGRY_EMOJI_WEIGHT = 2.5
_HAPPY_EMOJI_WEIGHT = 1.5
# Sarcasm: praise around a real complaint counts for the complaint.
_SARCASM_WEIGHT = 1.0
_QUESTION_DISCOUNT = 1.5
# The complaint must outweigh the praise by this much: one vague word is no complaint.
_THRESHOLD = 2.0


@dataclass
class _Reading:
    complaint: float
    praise: float
    reasons: list[str]

    @property
    def names_a_problem(self) -> bool:
        return any(reason not in _INTENSIFIERS for reason in self.reasons)


def _read(words: str, text: str) -> _Reading:
    """The complaint and the praise in a stretch of words (and its emoji, from `text`)."""
    patterns = _patterns()
    praise = 0.0
    words = patterns.harmless.sub(" ", words)
    if patterns.all_well.search(words):
        words = patterns.all_well.sub(" ", words)
        praise += _ALL_WELL_WEIGHT
    complaint, reasons = 0.0, []
    for weight, reason, pattern in patterns.complaints:
        if pattern.search(words):
            complaint += weight
            reasons.append(reason)
    if not {"negated praise", "sarcasm"} & set(reasons) and patterns.praise.search(words):
        praise += _PRAISE_WEIGHT
    if _NEGATIVE_EMOJI.search(text):
        complaint += _ANGRY_EMOJI_WEIGHT
        reasons.append("angry emoji")
    if _POSITIVE_EMOJI.search(text):
        praise += _HAPPY_EMOJI_WEIGHT
    return _Reading(complaint, praise, reasons)


def _verdict(total: float, reason: str) -> Verdict:
    score = round(-math.tanh(total / 4.0), 2) + 0.0
    return Verdict(total >= _THRESHOLD, score, reason)


def _from_text(text: str) -> Verdict:
    words = _words(fold(text))
    reading = _read(words, text)
    if reading.praise and reading.complaint >= _THRESHOLD and reading.names_a_problem:
        contrast = list(_patterns().contrast.finditer(words))
        if contrast:
            tail = _read(words[contrast[-1].start() :], "")
            if tail.praise and tail.complaint < _THRESHOLD:
                return _verdict(-tail.praise, "text: resolved complaint")
        total = reading.complaint + _SARCASM_WEIGHT
        return _verdict(total, "text: sarcasm, " + ", ".join(reading.reasons[:2]))
    complaint = reading.complaint
    # An exclamation mark beside the question mark ("?!") makes it a protest, not a question.
    if (
        "?" in text
        and "!" not in text
        and complaint <= _THRESHOLD + _QUESTION_DISCOUNT
        and _patterns().question.search(words)
    ):
        complaint = max(0.0, complaint - _QUESTION_DISCOUNT)
        if complaint < _THRESHOLD:
            return _verdict(complaint - reading.praise, "text: a question")
    total = complaint - reading.praise
    if total >= _THRESHOLD:
        return _verdict(total, "text: " + ", ".join(reading.reasons[:3]))
    if reading.praise:
        return _verdict(total, "text: praise or thanks")
    return _verdict(total, "text: no complaint" if not complaint else "text: too little complaint")


def _from_stars(stars: int) -> Verdict | None:
    if stars in (1, 2):
        return Verdict(True, -1.0 if stars == 1 else -0.5, f"stars: {stars}")
    if stars in (4, 5):
        return Verdict(False, 0.5 if stars == 4 else 1.0, f"stars: {stars}")
    return None


def judge(
    text: str | None,
    *,
    sentiment: float | None = None,
    stars: int | None = None,
    language: str | None = None,
) -> Verdict:
    """Negative or not: stars first, then a given sentiment, then the text.

    Stars outside 1..5 and a sentiment that is not a number are ignored. `language` is taken as
    the source reports it, but both languages' cues always apply: comments mix Polish and
    English, and sources often guess a short comment's language wrong.
    """
    if stars is not None and (verdict := _from_stars(stars)):
        return verdict
    if sentiment is not None and not math.isnan(sentiment) and sentiment != 0:
        return Verdict(sentiment < 0, max(-1.0, min(1.0, float(sentiment))), "given sentiment")
    if text is None or not text.strip():
        return Verdict(False, 0.0, "no text")
    return _from_text(text)
