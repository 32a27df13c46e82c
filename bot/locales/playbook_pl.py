"""Polski: kroki planu działania, rozwiązania, szablony odpowiedzi i lista na zamknięcie.

The replies use the friendly "Ty" register Polish shops use on Facebook, with the pronouns
capitalised as brands write them. The customer's gender is unknown, so the replies avoid
gendered forms (no second-person past tense, no "Pan/Pani"). Every public reply keeps to this one
form of address. `reply.greeting` opens the reply the way a Facebook mention of the author does,
where the first name in the nominative reads naturally; replies follow it in lower case.
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
    "playbook.step.improve.hint": "Napisz, co zmieniamy, żeby sytuacja się nie powtórzyła, i pokaż na to konkretne dowody. Nie obiecuj, że to się już nigdy nie zdarzy. Czytają to także inni, również przyszli klienci.",
    "playbook.step.compensate": "Zaproponuj rekompensatę",
    "playbook.step.compensate.hint": "Zrekompensuj kłopot kuponem rabatowym lub zniżką na kolejne zakupy. Gdy emocje opadną, klient może do nas wrócić albo przekazać kupon znajomym.",
    "remedy.apology_discount": "Przeprosiny i rabat na kolejne zakupy",
    "remedy.apology_discount.reply": "bardzo przepraszamy, że tak długo nie było od nas odpowiedzi – to nie jest obsługa, jaką chcemy zapewniać. Masz rację i już się tym zajmujemy. W ramach przeprosin mamy dla Ciebie rabat na kolejne zakupy – szczegóły wyślemy Ci w prywatnej wiadomości.",
    "remedy.free_return": "Zwrot towaru z pokryciem wszystkich kosztów",
    "remedy.free_return.reply": "przepraszamy, że produkt nie jest zgodny z opisem – to nasz błąd. Możesz go zwrócić, a my pokryjemy wszystkie koszty, również przesyłki. Szczegóły wyślemy Ci w prywatnej wiadomości, a opis już poprawiamy, żeby nikogo więcej nie wprowadzał w błąd.",
    "remedy.compensation": "Rekompensata, gdy produkt nie jest wadliwy",
    "remedy.compensation.reply": "przepraszamy, że produkt różni się od opisu – to nasz błąd. Jeśli chcesz go zatrzymać, zaproponujemy Ci rekompensatę, a jeśli wolisz, możesz go oczywiście zwrócić. Napiszemy do Ciebie w prywatnej wiadomości, żeby wspólnie ustalić, co będzie dla Ciebie najlepsze.",
    "remedy.refund": "Zwrot wpłaconych pieniędzy",
    "remedy.refund.reply": "bardzo przepraszamy, że na zamówienie trzeba czekać tak długo – powinniśmy byli na bieżąco informować Cię, co się z nim dzieje. Jeśli nie chcesz dłużej czekać, od razu zwrócimy Ci całą wpłaconą kwotę. Napiszemy do Ciebie w prywatnej wiadomości, a razem z firmą kurierską sprawdzamy, co zawiodło, i zmieniamy to, żeby zamówienia docierały w obiecanym terminie.",
    "remedy.old_price": "Utrzymanie ceny z zamówienia",
    "remedy.old_price.reply": "przepraszamy za zamieszanie z ceną. Zamówienie zostało złożone po cenie, którą pokazywaliśmy, i ta cena obowiązuje – nie musisz nic dopłacać. Jeśli produktu nie ma już na stanie, możesz zamiast tego bezpłatnie zrezygnować z zamówienia. Napiszemy do Ciebie w prywatnej wiadomości, żeby to potwierdzić.",
    "remedy.free_cancellation": "Przeprosiny, bezpłatna rezygnacja i rabat",
    "remedy.free_cancellation.reply": "przepraszamy – cena zmieniła się już po złożeniu zamówienia, a powinniśmy byli od razu Cię o tym poinformować. Możesz bezpłatnie zrezygnować z zamówienia, a niezależnie od Twojej decyzji chcemy dać Ci rabat na kolejne zakupy. Szczegóły wyślemy Ci w prywatnej wiadomości.",
    "remedy.review_decision": "Szybki kontakt i ponowne rozpatrzenie reklamacji",
    "remedy.review_decision.reply": "dziękujemy za sygnał i przepraszamy za to, jak potraktowaliśmy Twoją reklamację. Właśnie rozpatrujemy ją ponownie, a osoba z kierownictwa napisze do Ciebie w prywatnej wiadomości, żebyśmy razem znaleźli dobre rozwiązanie.",
    "playbook.closing.remove_comment": "Poproś klienta o usunięcie negatywnego komentarza albo o opublikowanie sprostowania.",
    "playbook.closing.public_summary": "Jeśli możemy włączyć się do dyskusji, opublikuj podsumowanie, że sprawa została rozwiązana, i napisz, co zmieniamy, żeby się nie powtórzyła.",
    "reply.greeting": "{name},",
    "reply.greeting_anonymous": "Dzień dobry,",
    "remedy.apology_discount.reply.other": "przepraszamy za tę sytuację – nie tak to powinno wyglądać. Już sprawdzamy, co się stało. W ramach przeprosin mamy dla Ciebie rabat na kolejne zakupy – szczegóły wyślemy Ci w prywatnej wiadomości.",
    "remedy.refund.reply.faulty": "przepraszamy, że produkt Cię zawiódł. Jeśli nie chcesz naprawy ani wymiany, zwrócimy Ci pełną cenę. Napiszemy do Ciebie w prywatnej wiadomości, żeby wszystko ustalić.",
    "remedy.repair_or_replacement": "Naprawa lub wymiana na nasz koszt",
    "remedy.repair_or_replacement.reply": "przepraszamy, że produkt tak szybko się uszkodził – nie taką jakość chcemy sprzedawać. Naprawimy go albo wymienimy na nowy, jak wolisz, na nasz koszt. Napiszemy do Ciebie w prywatnej wiadomości, żeby to ustalić, a partię sprawdzamy z producentem, żeby inni klienci nie mieli tego samego problemu.",
    "playbook.closing.review": "Nie proś klienta o usunięcie ani zmianę opinii i niczego od niej nie uzależniaj; najwyżej napisz, że może ją zaktualizować, jeśli zechce.",
}
