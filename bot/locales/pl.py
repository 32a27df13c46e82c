"""Polski."""

MESSAGES: dict[str, str] = {
    "help.text": (
        "crisisbot prowadzi reakcję na kryzys w mediach społecznościowych.\n"
        "/crisis open <url> [tekst]: zgłoś negatywny wpis\n"
        "/crisis list: otwarte kryzysy\n"
        "/crisis status <n>: kryzys i jego historia\n"
        "/crisis ack <n>: zajmuję się tym\n"
        "/crisis assign <n> <@osoba>: przekaż kryzys innej osobie z doświadczeniem\n"
        "/crisis resolve <n> [notatka]: zaproponuj klientowi rozwiązanie\n"
        "/crisis confirm <n> [notatka]: klient potwierdził, zamknij kryzys\n"
        "/crisis reopen <n>: otwórz kryzys ponownie\n"
        "/crisis snooze <n> <czas>: przesuń przypomnienie (np. 30m, 4h, 1d)\n"
        "/crisis roster: kto może prowadzić kryzys\n"
        "/crisis roster add <@osoba> junior|senior|lead, /crisis roster remove <@osoba>\n"
        "/crisis stats: czasy reakcji\n"
        "/crisis channel [<marka> <#kanał>|default]: osobny kanał kryzysowy marki\n"
        "/crisis link [kod]: ta sama osoba na Slacku i w Teams"
    ),
    "list.empty": "Brak otwartych kryzysów. Spokojnie.",
    "list.header": "Otwarte kryzysy: {count}",
    "list.line": "#{n} {status} · {severity} · prowadzi {owner} · wpisów: {alerts} · {post}",
    "status.summary": (
        "Kryzys #{n}: {status}, waga {severity}, kategoria {category}\n"
        "Prowadzi: {owner} · wpisów: {alerts} · zasięg: {reach} · {post}"
    ),
    "status.timeline_header": "Historia:",
    "timeline.opened": "{at} otwarty przez {actor} ({source}: {url})",
    "timeline.alert_grouped": "{at} dołączył kolejny wpis lub komentarz ({url})",
    "timeline.owner_assigned": "{at} prowadzi: {member}",
    "timeline.no_owner": "{at} nikt z listy dyżurnej nie mógł go przejąć",
    "intake.opened": "Otwarto kryzys #{n}.",
    "intake.grouped": "Ten wpis należy do kryzysu #{n}: dołączono go.",
    "intake.duplicate": "Ten wpis był już zgłoszony: kryzys #{n}.",
    "roster.added": "{member} jest na liście dyżurnej jako {level}.",
    "roster.unchanged": "{member} już ma poziom {level}.",
    "roster.level_changed": "{member} ma teraz poziom {level} (wcześniej {from}).",
    "roster.removed": "{member} nie jest już na liście dyżurnej.",
    "roster.empty": "Lista dyżurna jest pusta. Najpierw dodaj osobę prowadzącą (lead): {command}",
    "roster.header": "Lista dyżurna ({count}):",
    "roster.line": "{member}: {level}, otwarte kryzysy: {open}",
    "thread.owner_assigned": (
        "{owner}, prowadzisz kryzys #{n}. Pierwszy krok: szybko i osobiście skontaktuj się z "
        "klientem i przeproś. Szybka, osobista odpowiedź kogoś z wyższego stanowiska uspokaja "
        "sytuację."
    ),
    "thread.no_owner": (
        "Nikt z listy dyżurnej nie może jeszcze prowadzić tego kryzysu. Dodaj osobę senior lub "
        "lead poleceniem {command}, a potem przypisz kryzys."
    ),
    "thread.alert_grouped": (
        "Nowy komentarz od {author} (obserwujących: {followers}): „{text}” {post}"
    ),
    "error.unknown_command": "Nieznane polecenie „{command}”. Zobacz {help}.",
    "error.no_such_crisis": "Nie ma kryzysu #{n}.",
    "error.roster_leads_only": "Tylko osoba o poziomie lead może zmieniać listę dyżurną.",
    "error.bad_level": "„{level}” to nie jest poziom. Dostępne: {levels}.",
    "error.not_on_roster": "Tej osoby nie ma na liście dyżurnej.",
    "error.coming_soon": "Ta część obsługi kryzysu będzie dostępna wkrótce.",
    "error.internal": (
        "Coś poszło nie tak po naszej stronie; nic nie zostało zmienione. Spróbuj ponownie."
    ),
    "usage.list": "Użycie: /crisis list",
    "usage.status": "Użycie: /crisis status <n>, np. /crisis status 12",
    "usage.open": (
        "Użycie: /crisis open <url> [tekst], np. "
        "/crisis open https://facebook.com/shop/posts/1 Znowu spóźniona paczka"
    ),
    "usage.roster": (
        "Użycie: /crisis roster, /crisis roster add <@osoba> junior|senior|lead, "
        "/crisis roster remove <@osoba>"
    ),
    "status.open": "otwarty",
    "status.acknowledged": "przyjęty",
    "status.awaiting_confirmation": "czeka na potwierdzenie",
    "status.closed": "zamknięty",
    "severity.low": "niska",
    "severity.medium": "średnia",
    "severity.high": "wysoka",
    "severity.critical": "krytyczna",
    "category.customer_service": "obsługa klienta",
    "category.not_as_described": "towar niezgodny z opisem",
    "category.delivery_delay": "opóźniona dostawa",
    "category.price_change": "zmiana ceny",
    "category.complaint_rejected": "odrzucona reklamacja",
    "category.other": "inne",
    "owner.none": "jeszcze nikt",
    "actor.webhook": "webhook alertów",
    "actor.bot": "crisisbot",
    "root.fallback": "Kryzys #{n} ({severity}): wpis z {source}, autor {author}",
    "root.title": "Kryzys #{n} · {source}",
    "root.author": "Autor",
    "root.reach": "Zasięg",
    "root.severity": "Waga",
    "root.status": "Status",
    "root.owner": "Prowadzi",
    "root.category": "Kategoria",
    "root.alerts": "Wpisy i komentarze",
    "root.opened": "Otwarty {at}",
    "root.unknown_author": "nieznany",
    "root.followers": "obserwujących: {followers}",
    "root.open_post": "Otwórz wpis",
    "button.ack": "Przyjmuję",
    "button.reassign": "Przekaż",
    "button.resolve": "Zaproponuj rozwiązanie",
    "button.confirm": "Klient potwierdził",
    "button.snooze": "Odłóż",
    "button.playbook": "Plan działania",
    "error.owner_or_lead": "Tylko osoba prowadząca #{n} ({owner}) lub lead ({leads}) może to zrobić.",
    "error.already_acknowledged": "Kryzys #{n} jest już przyjęty ({status}).",
    "error.acknowledge_first": "Kryzys #{n} ma status: {status}. Najpierw go przyjmij.",
    "error.already_proposed": "Rozwiązanie dla #{n} jest już zaproponowane: zapisz potwierdzenie klienta albo otwórz kryzys ponownie.",
    "error.propose_first": "Kryzys #{n} ma status: {status}. Najpierw zaproponuj rozwiązanie.",
    "error.not_closed": "Kryzys #{n} ma status: {status}; nie jest zamknięty ani nie czeka na potwierdzenie.",
    "error.not_now": "Niemożliwe, gdy kryzys #{n} ma status: {status}.",
    "error.crisis_closed": "Kryzys #{n} jest zamknięty. Najpierw otwórz go ponownie: /crisis reopen {n}",
    "error.cannot_own": "Kryzys może prowadzić tylko osoba z listy dyżurnej o poziomie senior lub lead.",
    "error.already_owner": "{owner} już prowadzi #{n}.",
    "error.note_too_long": "Notatka jest za długa (najwyżej {limit} znaków).",
    "error.bad_remedy": "Nieznane rozwiązanie.",
    "error.nul_character": "Polecenie zawiera znak NUL; wpisz je ponownie bez niego.",
    "error.bad_snooze": "Podaj czas, np. 30m, 4h lub 1d (najwyżej 30 dni).",
    "error.bad_step": "Nieznany krok planu działania.",
    "reply.acknowledged": "Prowadzisz kryzys #{n}. Plan działania jest w jego wątku.",
    "reply.reassigned": "Kryzys #{n} prowadzi teraz {owner}.",
    "reply.resolution_proposed": "Zaproponowano rozwiązanie dla #{n}: czekamy na potwierdzenie klienta.",
    "reply.closed": "Kryzys #{n} jest zamknięty. Dziękujemy!",
    "reply.reopened": "Kryzys #{n} jest znowu otwarty.",
    "reply.snoozed": "Następne przypomnienie dla #{n}: {until}.",
    "reply.steps": "Plan działania dla #{n}: zrobione {done}/{total}. Następny krok: {next}.",
    "thread.acknowledged": "{member} przyjmuje kryzys #{n} i się nim zajmuje.",
    "thread.reassigned": "{actor} przekazuje kryzys #{n}: {previous} → {owner}. {owner}, przyjmij go, proszę.",
    "thread.resolution_proposed": "{actor} proponuje rozwiązanie: {remedy}. Notatka: {note}\nCzekamy na potwierdzenie klienta. Przed zamknięciem:\n{checklist}",
    "thread.closed": "{actor} zapisuje potwierdzenie klienta: kryzys #{n} jest zamknięty. Czas do pierwszego przyjęcia: {to_ack}; czas do rozwiązania: {to_resolve}. Notatka: {note}",
    "thread.reopened": "{actor} otwiera ponownie kryzys #{n}.",
    "thread.snoozed": "{actor} odkłada przypomnienia o #{n} do {until}.",
    "thread.escalated": "{previous} nie przyjmuje kryzysu #{n} w ciągu {timeout}. {owner}, teraz Ty go prowadzisz: przyjmij go, proszę.",
    "thread.escalation_nobody": "{who} kryzys #{n} wciąż nie jest przyjęty i nie ma komu go przekazać. Przejmijcie go, proszę (/crisis assign {n} @osoba). Kolejne wezwanie za {timeout}.",
    "thread.follow_up_confirmation": "{owner}, czy klient potwierdził, że sprawa #{n} jest rozwiązana? Skontaktuj się z nim, a potem naciśnij „Klient potwierdził”.",
    "playbook.all_done": "wszystkie kroki zrobione: zaproponuj klientowi rozwiązanie",
    "timeline.acknowledged": "{at} przyjęty przez {actor}",
    "timeline.resolution_proposed": "{at} {actor} proponuje rozwiązanie: {remedy} {note}",
    "timeline.closed": "{at} zamknięty przez {actor} (klient potwierdził) {note}",
    "timeline.reopened": "{at} ponownie otwarty przez {actor}",
    "timeline.snoozed": "{at} przypomnienia odłożone przez {actor}",
    "timeline.step_done": "{at} {actor} odhacza: {step}",
    "timeline.step_undone": "{at} {actor} cofa odhaczenie: {step}",
    "timeline.escalated_to_leads": "{at} brak przyjęcia na czas: wezwano osoby lead",
    "timeline.escalated_to_channel": "{at} brak przyjęcia na czas: wezwano cały kanał",
    "timeline.reminded": "{at} wysłano przypomnienie",
    "usage.ack": "Użycie: /crisis ack <n>",
    "usage.assign": "Użycie: /crisis assign <n> <@osoba>",
    "usage.resolve": "Użycie: /crisis resolve <n> [notatka]",
    "usage.confirm": "Użycie: /crisis confirm <n> [notatka]",
    "usage.reopen": "Użycie: /crisis reopen <n>",
    "usage.snooze": "Użycie: /crisis snooze <n> <czas>, np. /crisis snooze 12 4h",
    "usage.stats": "Użycie: /crisis stats",
    "stats.summary": "Otwarte: {open} (nieprzyjęte {unacked}, czekające na potwierdzenie {awaiting}). Zamknięte: {closed}.\nMediana czasu do pierwszego przyjęcia: {to_ack}. Mediana czasu do rozwiązania: {to_resolve}.",
    "root.next_reminder": "Następne przypomnienie {at}",
    "root.progress": "Plan działania {done}/{total}",
    "root.closed_times": "Zamknięty. Pierwsze przyjęcie po {to_ack}, rozwiązanie po {to_resolve}",
    "playbook.title": "Plan działania dla kryzysu #{n} ({category}). Odhaczaj kolejne kroki:",
    "playbook.remedies": "Pasujące rozwiązania z odpowiedzią do dostosowania:",
    "modal.reassign.title": "Przekaż kryzys",
    "modal.reassign.user": "Nowa osoba prowadząca (senior/lead)",
    "modal.resolve.title": "Zaproponuj rozwiązanie",
    "modal.resolve.remedy": "Rozwiązanie",
    "modal.resolve.note": "Notatka (co ustalono z klientem)",
    "modal.submit": "Zapisz",
    "modal.cancel": "Anuluj",
    "confirm.title": "Klient potwierdził?",
    "confirm.text": "Zamknij kryzys #{n}: klient potwierdził, że problem jest rozwiązany.",
    "confirm.yes": "Tak, zamknij",
    "confirm.no": "Jeszcze nie",
    "snooze.placeholder": "Odłóż",
    "snooze.1h": "1 godzina",
    "snooze.4h": "4 godziny",
    "snooze.tomorrow": "Jutro 9:00",
    "duration.none": "—",
    "thread.severity_raised": "{who} kryzys #{n} ma teraz wagę: {to} (wcześniej: {from}).",
    "thread.spike": "{owner} Nagły wzrost: {mentions} wzmianek o {brand} w tej godzinie (zwykle {usual} na godzinę). Nowe wzmianki o {brand} trafiają na razie do kryzysu #{n}.",
    "summary.fallback": "Kryzys #{n}: wpisów i komentarzy: {count}",
    "summary.counts": "*Podsumowanie na żywo #{n}:* wpisy: {posts}, komentarze: {comments}, łączny zasięg: {reach}",
    "summary.sources": "Źródła: {sources}",
    "summary.trend": "Ostatnia godzina, co 10 minut: {spark} ({counts})",
    "summary.newest": "Najnowszy: {post}",
    "summary.influential": "Najbardziej wpływowe:",
    "button.category": "Kategoria",
    "timeline.severity_raised": "{at} waga podniesiona do: {to}",
    "timeline.spike": "{at} nagły wzrost: {mentions} wzmianek o {brand} w tej godzinie",
    "timeline.category_changed": "{at} {actor} zmienia kategorię na {to} (wcześniej {was})",
    "reply.category": "Kryzys #{n} ma teraz kategorię: {category}; plan działania się do niej dostosowuje.",
    "error.bad_category": "Nieznana kategoria.",
    "channel.header": "Marki z własnym kanałem kryzysowym:",
    "channel.line": "{brand}: {channel}",
    "channel.none": "Wszystkie marki trafiają na kanał kryzysowy. Własny kanał dla marki: {command}",
    "channel.set": "Kryzysy dotyczące {brand} trafiają teraz na {channel}.",
    "channel.reset": "Kryzysy dotyczące {brand} znów trafiają na kanał kryzysowy.",
    "usage.channel": "Użycie: /crisis channel, /crisis channel <marka> <#kanał>, /crisis channel <marka> default",
    "root.title_spike": "Kryzys #{n} · nagły wzrost wzmianek · {source}",
    "timeline.reminder_skipped": "{at} przypomnienie nie powtórzone: poprzednie jeszcze nie dotarło",
    "intake.reopened": "Ten wpis dotyczy niedawno zamkniętego kryzysu #{n}: kryzys jest znów otwarty.",
    "thread.relapsed": "{owner} kryzys #{n} jest znów otwarty: {reason} pojawił się {after} po zamknięciu. {post}",
    "relapse.post": "nowy negatywny komentarz pod tym samym wpisem",
    "relapse.author": "nowy negatywny wpis tego samego autora",
    "timeline.relapsed": "{at} ponownie otwarty przez nowy negatywny wpis po zamknięciu ({url})",
    "timeline.alert_after_close": "{at} po zamknięciu pojawił się wpis, który nie jest negatywny: zapisany, kryzys nie otwarty ponownie ({url})",
    "timeline.confirmation_link": "{at} utworzono link potwierdzenia dla klienta ({language})",
    "timeline.customer_confirmed": "{at} klient potwierdził przez link: zamknięty",
    "timeline.customer_not_yet": "{at} klient odpowiedział przez link: jeszcze nie rozwiązane. {comment}",
    "thread.confirmation_link": "{owner}, wyślij ten link klientowi (np. w prywatnej wiadomości), żeby mógł potwierdzić, że problem jest rozwiązany. Strona jest w języku {language}, ważna do {until}, przyjmuje jedną odpowiedź:\n{link}",
    "thread.confirmation_link_off": "Brak linku potwierdzenia dla klienta: na serwerze nie ustawiono PUBLIC_BASE_URL. Zapisz potwierdzenie klienta przyciskiem Klient potwierdził.",
    "thread.customer_confirmed": "Klient potwierdził przez link ({at}), że problem jest rozwiązany: kryzys #{n} jest zamknięty. Czas do pierwszego potwierdzenia: {to_ack}; czas do rozwiązania: {to_resolve}.",
    "thread.customer_not_yet": "{owner}, klient odpowiedział przez link potwierdzenia ({at}): problem nie jest jeszcze rozwiązany. Komentarz klienta: {comment}\nKryzys #{n} wraca do stanu przyjęty, przypomnienia trwają dalej; zaproponuj nowe rozwiązanie, gdy zostanie uzgodnione.",
    "language.en": "angielskim",
    "language.pl": "polskim",
    "actor.customer": "klient",
    "error.comment_too_long": "Komentarz jest za długi (najwyżej {limit} znaków).",
    "page.title": "Czy Państwa problem został rozwiązany?",
    "page.shop_unknown": "Nasz sklep",
    "page.about": "Zgłosili nam Państwo problem: {problem} ({source}). Zrobiliśmy wszystko, by go naprawić.",
    "page.question": "Czy problem został rozwiązany?",
    "page.yes": "Tak, rozwiązany",
    "page.no": "Nie, jeszcze nie",
    "page.comment": "Czego jeszcze brakuje? (opcjonalnie)",
    "page.thanks_yes": "Dziękujemy! Cieszymy się, że problem jest rozwiązany.",
    "page.thanks_yes_more": "Jeśli mają Państwo ochotę, mogą Państwo zaktualizować lub usunąć swój wpis, by inni wiedzieli, że sprawa została naprawiona.",
    "page.thanks_no": "Dziękujemy za informację. Wkrótce się z Państwem skontaktujemy.",
    "page.error_title": "Tego linku nie można użyć",
    "page.error.invalid": "Ten link jest nieprawidłowy. Prosimy sprawdzić, czy został skopiowany w całości.",
    "page.error.expired": "Ten link wygasł. Prosimy odpowiedzieć na wiadomość, w której go Państwo otrzymali.",
    "page.error.used": "Ten link został już użyty. Dziękujemy za odpowiedź.",
    "page.error.stale": "To pytanie nie jest już aktualne. Jeśli coś jest nadal nie tak, prosimy odpowiedzieć na wiadomość, w której otrzymali Państwo link.",
    "page.problem.customer_service": "obsługa klienta",
    "page.problem.not_as_described": "produkt niezgodny z opisem",
    "page.problem.delivery_delay": "opóźniona dostawa",
    "page.problem.price_change": "zmiana ceny zamówienia",
    "page.problem.complaint_rejected": "odrzucona reklamacja",
    "page.problem.other": "zamówienie",
    "page.network.facebook": "Facebook",
    "page.network.instagram": "Instagram",
    "page.network.linkedin": "LinkedIn",
    "page.network.x": "X",
    "page.network.tiktok": "TikTok",
    "page.network.google_reviews": "opinie Google",
    "page.network.trustpilot": "Trustpilot",
    "page.network.forum": "forum",
    "page.network.other": "internet",
    "sandbox.title": "piaskownica crisisbot",
    "sandbox.hint": "Udawany obszar roboczy Slacka. Wszystko tutaj przechodzi przez prawdziwy kod bota dla Slacka.",
    "sandbox.act_as": "Działaj jako",
    "sandbox.team": "Dodaj przykładowy zespół do listy dyżurnych",
    "sandbox.samples": "Wyślij przykładowy alert",
    "sandbox.send_alert": "Wyślij alert",
    "sandbox.time_travel": "Podróż w czasie",
    "sandbox.bot_time": "Czas bota:",
    "sandbox.plus_day": "+1 dzień",
    "sandbox.send": "Wyślij",
    "sandbox.message": "Wiadomość",
    "sandbox.ahead": "({hours} h przed rzeczywistym czasem)",
    "sandbox.only_you": "Widoczne tylko dla Ciebie",
    "sandbox.empty": "Nie ma jeszcze kryzysów. Wyślij przykładowy alert albo wpisz poniżej /crisis help.",
    "sandbox.edited": "(edytowano)",
    "sandbox.replies": "Odpowiedzi: {count}",
    "sandbox.dismiss": "Zamknij",
    "sandbox.optional": "(opcjonalnie)",
    "sandbox.choose": "Wybierz",
    "sandbox.cancel": "Anuluj",
    "sandbox.submit": "Wyślij",
    "sandbox.alert_sent": "Alert: {status}, kryzys #{n}",
    "sandbox.not_answering": "Bot nie odpowiada:",
    "sandbox.not_simulated": "Przyciski w odpowiedziach widocznych tylko dla Ciebie nie działają w piaskownicy.",
    "sandbox.error.user": "Wybierz kogoś z zespołu.",
    "sandbox.error.command": "W tym obszarze roboczym jest jedno polecenie: /crisis",
    "sandbox.error.message": "Tej wiadomości już nie ma.",
    "sandbox.error.modal": "To okno nie jest otwarte.",
    "sandbox.error.values": "Brak wartości z okna.",
    "sandbox.error.sample": "Nie ma takiego przykładu.",
    "sandbox.error.jump": "Przesuń czas o 1 minutę do 7 dni.",
    "sandbox.error.json": "Piaskownica przyjmuje obiekty JSON tylko ze swojej strony.",
    "link.code": "Twój kod łączenia: {command}. Przekaż go crisisbotowi na drugiej platformie (Slack albo Teams) w ciągu {minutes} minut.",
    "link.done": "Połączono: {member} to ta sama osoba na Slacku i w Teams.",
    "error.link_code": "Nie znam tego kodu łączenia albo już wygasł. Poproś o nowy: /crisis link.",
    "error.link_same_platform": "Użyj kodu na drugiej platformie, nie tam, gdzie o niego prosisz.",
    "error.link_not_on_roster": "Żadne z tych kont nie jest jeszcze w zespole: poproś osobę prowadzącą, by dodała jedno z nich.",
    "error.link_both_on_roster": "Oba konta są w zespole jako różne osoby: poproś osobę prowadzącą, by usunęła jedno z nich.",
    "usage.link": "Użycie: /crisis link (pobierz kod), /crisis link <kod> (użyj go na drugiej platformie)",
    "teams.here_all": "Ten kanał jest teraz kanałem kryzysowym w Teams: nowe kryzysy otwierają się tu jako wątki.",
    "teams.here_brand": "Kryzysy dotyczące {brand} otwierają się teraz na tym kanale.",
    "teams.here_not_channel": "Napisz to na kanale zespołu: tam kryzysy otwierają się jako wątki.",
    "teams.card_only": "Ta karta jest nieaktualna. Użyj przycisków na karcie kryzysu albo polecenia tekstowego.",
    "teams.reassign_to": "Nowa osoba prowadząca",
    "teams.snooze_for": "Odłóż na",
    "teams.save_steps": "Zapisz",
    "teams.everyone": "kanał",
    # Pętla kryzysu: drabina eskalacji, przyciski zgodne ze stanem, jeden plan działania.
    "root.escalates_at": "Eskalacja {at}",
    "thread.took_over": "{member} przejmuje kryzys #{n} od {previous} i się nim zajmuje.",
    "thread.escalation_leads": "{who} kryzys #{n} wciąż nie jest przyjęty, a miała go już każda osoba senior. Przejmijcie go, proszę: „Zajmuję się” przypisze go do Was. Następnie, za {timeout}: cały kanał.",
    "thread.critical_leads": "{who} kryzys #{n} jest krytyczny, więc dowiadujecie się o nim od razu. „Zajmuję się” przejmuje go.",
    "thread.reminder_next_step": "{owner}, przypomnienie o kryzysie #{n}. Następny krok: {next}.",
    "timeline.leads_told": "{at} krytyczny: od razu powiadomiono osoby lead",
    "button.reopen": "Otwórz ponownie",
    "reply.playbook_in_thread": "Plan działania kryzysu #{n} jest w jego wątku: tam zaznaczaj kroki.",
    "confirm.unticked": "Niezaznaczone kroki planu: {steps}. Zamknąć mimo to?",
    "reply.closed_unticked": "Kryzys #{n} jest zamknięty. Niezaznaczone kroki planu:\n{steps}",
    "teams.confirm_ask": "Czy klient potwierdził, że problem jest rozwiązany? To zamknie kryzys #{n}.",
    "teams.private_from": "Kryzys #{n}: {text}",
    "reply.closing_ticked": "Lista zamknięcia kryzysu #{n}: zrobione {done}/{total}.",
    "playbook.closing_title": "*Lista zamknięcia* (gdy klient się zgodzi):",
    "closing.remove_comment": "Zapytaj o komentarz",
    "closing.public_summary": "Opublikuj podsumowanie",
    "timeline.closing_done": "{at} {actor} odhacza na liście zamknięcia: {step}",
    "timeline.closing_undone": "{at} {actor} cofa odhaczenie na liście zamknięcia: {step}",
    "teams.save_closing": "Zapisz listę zamknięcia",
    "welcome.slack": (
        "Cześć, tu crisisbot. Dla każdego kryzysu w mediach społecznościowych otwieram osobny "
        "wątek, przydzielam go osobie senior i przypominam o nim, dopóki klient nie potwierdzi, "
        "że sprawa jest rozwiązana. Na początek trzy kroki:\n"
        "1. Kanał kryzysowy: kryzysy otwierają się na kanale ustawionym w CRISIS_CHANNEL (ten "
        "kanał to {channel}); marka może mieć własny: /crisis channel <marka> <#kanał>.\n"
        "2. Lista dyżurnych: /crisis roster add @osoba lead, potem osoby senior: "
        "/crisis roster add @osoba senior.\n"
        "3. Alert próbny: /crisis open https://example.com/post Test: paczka nie dotarła.\n"
        "Wszystko inne: /crisis help"
    ),
    "teams.welcome": (
        "Cześć, tu crisisbot. Dla każdego kryzysu w mediach społecznościowych otwieram osobny "
        "wątek, przydzielam go osobie senior i przypominam o nim, dopóki klient nie potwierdzi, "
        "że sprawa jest rozwiązana. Na początek trzy kroki:\n"
        "1. Na kanale, na którym mają się otwierać kryzysy, napisz @crisisbot here.\n"
        "2. Lista dyżurnych: @crisisbot roster add @osoba lead, potem osoby senior: "
        "@crisisbot roster add @osoba senior.\n"
        "3. Alert próbny: @crisisbot open https://example.com/post Test: paczka nie dotarła.\n"
        "Wszystko inne: @crisisbot help"
    ),
    "teams.help": (
        "crisisbot prowadzi reakcję na kryzys w mediach społecznościowych. Napisz do bota:\n"
        "@crisisbot here [marka]: kryzysy (wszystkich marek albo jednej) otwierają się na tym "
        "kanale\n"
        "@crisisbot open <url> [tekst]: zgłoś negatywny wpis\n"
        "@crisisbot list: otwarte kryzysy\n"
        "@crisisbot status <n>: jeden kryzys i jego historia\n"
        "@crisisbot ack <n>: zajmuję się tym\n"
        "@crisisbot assign <n> @osoba: przekaż kryzys innej osobie senior\n"
        "@crisisbot resolve <n> [notatka]: zaproponuj klientowi rozwiązanie\n"
        "@crisisbot confirm <n> [notatka]: klient potwierdził, zamknij kryzys\n"
        "@crisisbot reopen <n>: otwórz kryzys ponownie\n"
        "@crisisbot snooze <n> <czas>: przesuń następne przypomnienie (np. 30m, 4h, 1d)\n"
        "@crisisbot roster: kto może prowadzić kryzys\n"
        "@crisisbot roster add @osoba junior|senior|lead, @crisisbot roster remove @osoba\n"
        "@crisisbot stats: czasy reakcji\n"
        "@crisisbot link [kod]: ta sama osoba w Slacku i w Teams\n"
        "Przyciski na karcie kryzysu robią to samo."
    ),
}
