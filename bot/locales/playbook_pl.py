"""Polski: kroki planu działania, rozwiązania, szablony odpowiedzi i lista na zamknięcie.

The replies use the friendly "Ty" register Polish shops use on Facebook, with the pronouns
capitalised as brands write them. The customer's gender is unknown, so the replies avoid
gendered forms (no second-person past tense, no "Pan/Pani"). `{customer}` opens the reply the way
a Facebook mention of the author does, where the name in the nominative reads naturally.
"""

MESSAGES: dict[str, str] = {
    "playbook.step.apologise": "Przeproś",
    "playbook.step.apologise.hint": (
        "Zachowaj spokój i oficjalnie przeproś za to, co się stało, niezależnie od tego, czy to "
        "nasza wina. Nawet przeprosiny większe niż sam problem łagodzą konflikt i są dobrze "
        "odbierane."
    ),
    "playbook.step.admit": "Przyznaj się do błędu",
    "playbook.step.admit.hint": (
        "Napisz wprost, że wiemy, co poszło nie tak, i bierzemy to na siebie. Nie unikaj "
        "odpowiedzialności i nie zrzucaj winy na innych."
    ),
    "playbook.step.fix": "Napraw błąd",
    "playbook.step.fix.hint": (
        "Zacznij naprawiać błąd od razu. Jeśli przyczyna leży po stronie dostawcy, działaj również "
        "tam, np. zgłoś firmie kurierskiej uszkodzoną przesyłkę, żeby sytuacja się nie powtórzyła."
    ),
    "playbook.step.improve": "Obiecaj poprawę",
    "playbook.step.improve.hint": (
        "Zapewnij, że to się nie powtórzy, i pokaż jasne, konkretne dowody zmian. Czytają to "
        "także inni, również przyszli klienci."
    ),
    "playbook.step.compensate": "Wynagrodź",
    "playbook.step.compensate.hint": (
        "Wynagrodź kłopot kuponem rabatowym lub zniżką na kolejne zakupy. Gdy emocje opadną, "
        "klient może do nas wrócić albo przekazać kupon znajomym."
    ),
    "remedy.apology_discount": "Przeprosiny i rabat na kolejne zakupy",
    "remedy.apology_discount.reply": (
        "{customer}, bardzo przepraszamy, że tak długo nie było od nas odpowiedzi – to nie jest "
        "obsługa, jaką chcemy zapewniać. Masz rację i już się tym zajmujemy. W ramach przeprosin "
        "mamy dla Ciebie rabat na kolejne zakupy – szczegóły wysłaliśmy w prywatnej wiadomości."
    ),
    "remedy.free_return": "Zwrot towaru z pokryciem wszystkich kosztów",
    "remedy.free_return.reply": (
        "{customer}, przepraszamy, że produkt nie jest zgodny z opisem – to nasz błąd. Możesz go "
        "zwrócić, a my pokryjemy wszystkie koszty, również przesyłki. Szczegóły wysłaliśmy "
        "w prywatnej wiadomości, a opis już poprawiamy, żeby taka sytuacja się nie powtórzyła."
    ),
    "remedy.compensation": "Rekompensata, gdy produkt nie jest wadliwy",
    "remedy.compensation.reply": (
        "{customer}, przepraszamy, że produkt różni się od opisu – to nasz błąd. Jeśli chcesz go "
        "zatrzymać, zaproponujemy Ci rekompensatę, a jeśli wolisz, możesz go oczywiście zwrócić. "
        "Napisaliśmy do Ciebie w prywatnej wiadomości, żeby wspólnie ustalić, co będzie dla "
        "Ciebie najlepsze."
    ),
    "remedy.refund": "Zwrot wpłaconych pieniędzy",
    "remedy.refund.reply": (
        "{customer}, bardzo przepraszamy, że na zamówienie trzeba czekać tak długo – powinniśmy "
        "byli Cię na bieżąco informować, co się z nim dzieje. Jeśli nie chcesz dłużej czekać, od "
        "razu zwrócimy Ci całą wpłaconą kwotę. Napisaliśmy do Ciebie w prywatnej wiadomości "
        "i już sprawdzamy, co zawiodło przy wysyłce, żeby to się nie powtórzyło."
    ),
    "remedy.old_price": "Wysyłka w starej cenie",
    "remedy.old_price.reply": (
        "{customer}, przepraszamy za zamieszanie z ceną. Zamówienie zostało złożone po cenie, "
        "którą pokazywaliśmy, i tyle właśnie zapłacisz – wyślemy je w starej cenie, bez żadnych "
        "dopłat. Dziękujemy za cierpliwość i jeszcze raz przepraszamy."
    ),
    "remedy.free_cancellation": "Przeprosiny, bezpłatna rezygnacja i rabat",
    "remedy.free_cancellation.reply": (
        "{customer}, przepraszamy – produktu zabrakło na stanie, a w międzyczasie zmieniła się "
        "jego cena, o czym powinniśmy byli Cię wcześniej poinformować. Możesz bezpłatnie "
        "zrezygnować z zamówienia, a niezależnie od Twojej decyzji chcemy dać Ci rabat na kolejne "
        "zakupy. Szczegóły wysłaliśmy w prywatnej wiadomości."
    ),
    "remedy.review_decision": "Szybki kontakt i ponowne rozpatrzenie reklamacji",
    "remedy.review_decision.reply": (
        "{customer}, dziękujemy za sygnał i przepraszamy za to, jak potraktowaliśmy Twoją "
        "reklamację. Właśnie rozpatrujemy ją ponownie, a osoba z kierownictwa wkrótce skontaktuje "
        "się z Tobą w prywatnej wiadomości, żebyśmy razem znaleźli dobre rozwiązanie."
    ),
    "playbook.closing.remove_comment": (
        "Poproś klienta o usunięcie negatywnego komentarza lub o sprostowanie w kolejnym wpisie."
    ),
    "playbook.closing.public_summary": (
        "Jeśli możemy włączyć się do dyskusji, opublikuj podsumowanie: sprawa została rozwiązana "
        "i dołożymy wszelkich starań, żeby się nie powtórzyła."
    ),
}
