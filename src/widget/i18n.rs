//! The widget's words in English, German, French, Spanish, Italian, Dutch
//! and Portuguese (the classifier's seven languages), picked from the site's
//! setting, the page's `lang` or the browser's language. Placeholders in
//! braces are filled by the panel.

use crate::domain::conversation::ReplyInput;

/// Every sentence the panel shows.
pub struct Strings {
    /// The language tag of these words (the panel's `lang`).
    pub lang: &'static str,
    pub title: &'static str,
    pub close: &'static str,
    pub here_now: &'static str,
    pub typical: &'static str,
    pub away: &'static str,
    pub closed_until: &'static str,
    pub closed: &'static str,
    /// A site with no team yet: no message can be taken.
    pub no_team: &'static str,
    pub message_label: &'static str,
    pub placeholder: &'static str,
    pub goes_to: &'static str,
    /// Under the team choice when the classifier is unsure of it.
    pub team_guess: &'static str,
    pub removed: &'static str,
    pub we_receive: &'static str,
    pub reply_how: &'static str,
    pub reply_here: &'static str,
    pub reply_email: &'static str,
    pub reply_phone: &'static str,
    pub email_label: &'static str,
    pub phone_label: &'static str,
    pub window_from: &'static str,
    pub window_to: &'static str,
    pub promise_here: &'static str,
    pub promise_email: &'static str,
    pub promise_phone: &'static str,
    pub send: &'static str,
    pub you: &'static str,
    pub joined: &'static str,
    pub closed_notice: &'static str,
    pub reopened_notice: &'static str,
    pub assigned_notice: &'static str,
    pub moved_notice: &'static str,
    /// The delete button after its first press: the next press deletes.
    pub delete_confirm: &'static str,
    pub delete: &'static str,
    pub deleted: &'static str,
    /// Shown once a message went to the site's own endpoint (or its page took it).
    pub sent: &'static str,
    pub network_error: &'static str,
    /// The worker refused or failed (rate limited, a bot's refusal, an
    /// outage): its own reason is English and for the site's developers,
    /// so it goes to the console.
    pub error: &'static str,
    /// What was entered was not taken (the worker's 422, or a call back
    /// without its window): the reply fields to check.
    pub check_input: &'static str,
    /// What was refused for a call back (the worker's 422: a window
    /// without 15 minutes of the team's hours from now on, or the number).
    pub check_window: &'static str,
    pub new_message: &'static str,
    /// A staff member is typing (pushed, issue 18).
    pub typing: &'static str,
    /// Names of personal data kinds: card, email, phone, iban, ssn, ip.
    pub kinds: [&'static str; 6],
}

const EN: Strings = Strings {
    lang: "en",
    title: "Talk to our team",
    close: "Close",
    here_now: "Here now: {names}",
    typical: "Typical first reply: about {n} {unit}",
    away:
        "Nobody is at their desk right now. Leave your e-mail address and a person will write back.",
    closed_until: "We are closed. Back {when} (your time).",
    closed: "We are closed right now.",
    no_team: "This site is not taking messages yet.",
    message_label: "Your message",
    placeholder: "Ask us anything…",
    goes_to: "Goes to",
    team_guess: "Just our guess: pick another team if it fits better.",
    removed: "{kind} removed — we never need it here.",
    we_receive: "What we will receive:",
    reply_how: "How should we answer?",
    reply_here: "Here, in this window",
    reply_email: "By e-mail",
    reply_phone: "Call me back",
    email_label: "Your e-mail address",
    phone_label: "Your phone number",
    window_from: "Between",
    window_to: "and",
    promise_here: "A person will answer here; you can close this window and come back.",
    promise_email: "A person will write to this address.",
    promise_phone: "A person will call you in the window you chose.",
    send: "Send",
    you: "You",
    joined: "{name} joined the conversation",
    closed_notice: "The conversation was closed",
    reopened_notice: "The conversation was reopened",
    assigned_notice: "The conversation was assigned",
    moved_notice: "The conversation was passed to another team",
    delete: "Delete conversation",
    delete_confirm: "Really delete?",
    deleted: "The conversation and its messages were deleted.",
    sent: "Thank you, your message was sent.",
    network_error: "We could not be reached. Your message is still here; try again.",
    error: "That did not work. Your message is still here; try again later.",
    check_input: "Please check your e-mail address, phone number or times.",
    check_window: "Please pick a window with 15 minutes of the team's hours from now on.",
    new_message: "New message from {name}",
    typing: "{name} is typing…",
    kinds: [
        "Card number",
        "E-mail address",
        "Phone number",
        "IBAN",
        "Social security number",
        "IP address",
    ],
};

const DE: Strings = Strings {
    lang: "de",
    title: "Sprechen Sie mit unserem Team",
    close: "Schließen",
    here_now: "Jetzt da: {names}",
    typical: "Erste Antwort meist nach etwa {n} {unit}",
    away: "Gerade ist niemand am Platz. Hinterlassen Sie Ihre E-Mail-Adresse, ein Mensch schreibt Ihnen zurück.",
    closed_until: "Wir sind geschlossen. Wieder da {when} (Ihre Zeit).",
    closed: "Wir sind gerade geschlossen.",
    no_team: "Diese Website nimmt noch keine Nachrichten entgegen.",
    message_label: "Ihre Nachricht",
    placeholder: "Fragen Sie uns…",
    goes_to: "Geht an",
    team_guess: "Nur eine Vermutung: Wählen Sie ein anderes Team, wenn es besser passt.",
    removed: "{kind} entfernt — das brauchen wir hier nie.",
    we_receive: "Das erhalten wir:",
    reply_how: "Wie sollen wir antworten?",
    reply_here: "Hier in diesem Fenster",
    reply_email: "Per E-Mail",
    reply_phone: "Rückruf",
    email_label: "Ihre E-Mail-Adresse",
    phone_label: "Ihre Telefonnummer",
    window_from: "Zwischen",
    window_to: "und",
    promise_here: "Ein Mensch antwortet hier; Sie können das Fenster schließen und wiederkommen.",
    promise_email: "Ein Mensch schreibt an diese Adresse.",
    promise_phone: "Ein Mensch ruft Sie im gewählten Zeitraum an.",
    send: "Senden",
    you: "Sie",
    joined: "{name} ist dem Gespräch beigetreten",
    closed_notice: "Das Gespräch wurde geschlossen",
    reopened_notice: "Das Gespräch wurde wieder geöffnet",
    assigned_notice: "Das Gespräch wurde zugewiesen",
    moved_notice: "Das Gespräch wurde an ein anderes Team übergeben",
    delete: "Gespräch löschen",
    delete_confirm: "Wirklich löschen?",
    deleted: "Das Gespräch und seine Nachrichten wurden gelöscht.",
    sent: "Danke, Ihre Nachricht wurde gesendet.",
    network_error: "Wir sind nicht erreichbar. Ihre Nachricht ist noch da; versuchen Sie es erneut.",
    error: "Das hat nicht geklappt. Ihre Nachricht ist noch da; versuchen Sie es später erneut.",
    check_input: "Bitte prüfen Sie E-Mail-Adresse, Telefonnummer oder Zeiten.",
    check_window: "Bitte wählen Sie ein Fenster mit 15 Minuten der Teamzeiten ab jetzt.",
    new_message: "Neue Nachricht von {name}",
    typing: "{name} schreibt …",
    kinds: ["Kartennummer", "E-Mail-Adresse", "Telefonnummer", "IBAN", "Sozialversicherungsnummer", "IP-Adresse"],
};

const FR: Strings = Strings {
    lang: "fr",
    title: "Parlez à notre équipe",
    close: "Fermer",
    here_now: "Présents : {names}",
    typical: "Première réponse en général en {n} {unit} environ",
    away: "Personne n'est disponible pour l'instant. Laissez votre adresse e-mail, une personne vous répondra.",
    closed_until: "Nous sommes fermés. De retour {when} (votre heure).",
    closed: "Nous sommes fermés pour le moment.",
    no_team: "Ce site ne reçoit pas encore de messages.",
    message_label: "Votre message",
    placeholder: "Posez-nous votre question…",
    goes_to: "Destinataire",
    team_guess: "Ce n'est qu'une supposition : choisissez une autre équipe si elle convient mieux.",
    removed: "{kind} supprimé — nous n'en avons jamais besoin ici.",
    we_receive: "Ce que nous recevrons :",
    reply_how: "Comment vous répondre ?",
    reply_here: "Ici, dans cette fenêtre",
    reply_email: "Par e-mail",
    reply_phone: "Rappelez-moi",
    email_label: "Votre adresse e-mail",
    phone_label: "Votre numéro de téléphone",
    window_from: "Entre",
    window_to: "et",
    promise_here: "Une personne répondra ici ; vous pouvez fermer cette fenêtre et revenir.",
    promise_email: "Une personne écrira à cette adresse.",
    promise_phone: "Une personne vous appellera dans le créneau choisi.",
    send: "Envoyer",
    you: "Vous",
    joined: "{name} a rejoint la conversation",
    closed_notice: "La conversation a été fermée",
    reopened_notice: "La conversation a été rouverte",
    assigned_notice: "La conversation a été attribuée",
    moved_notice: "La conversation a été confiée à une autre équipe",
    delete: "Supprimer la conversation",
    delete_confirm: "Vraiment supprimer ?",
    deleted: "La conversation et ses messages ont été supprimés.",
    sent: "Merci, votre message a été envoyé.",
    network_error: "Impossible de nous joindre. Votre message est conservé ; réessayez.",
    error: "Cela n'a pas fonctionné. Votre message est conservé ; réessayez plus tard.",
    check_input: "Vérifiez votre adresse e-mail, votre numéro ou les horaires.",
    check_window: "Choisissez un créneau avec 15 minutes des horaires de l'équipe dès maintenant.",
    new_message: "Nouveau message de {name}",
    typing: "{name} écrit…",
    kinds: ["Numéro de carte", "Adresse e-mail", "Numéro de téléphone", "IBAN", "Numéro de sécurité sociale", "Adresse IP"],
};

const ES: Strings = Strings {
    lang: "es",
    title: "Habla con nuestro equipo",
    close: "Cerrar",
    here_now: "Ahora aquí: {names}",
    typical: "Primera respuesta habitual: unos {n} {unit}",
    away: "Ahora mismo no hay nadie disponible. Deja tu correo y una persona te escribirá.",
    closed_until: "Estamos cerrados. Volvemos {when} (tu hora).",
    closed: "Ahora mismo estamos cerrados.",
    no_team: "Este sitio todavía no recibe mensajes.",
    message_label: "Tu mensaje",
    placeholder: "Pregúntanos lo que quieras…",
    goes_to: "Va a",
    team_guess: "Es solo una suposición: elige otro equipo si encaja mejor.",
    removed: "{kind} eliminado: aquí nunca lo necesitamos.",
    we_receive: "Lo que recibiremos:",
    reply_how: "¿Cómo te respondemos?",
    reply_here: "Aquí, en esta ventana",
    reply_email: "Por correo",
    reply_phone: "Llamadme",
    email_label: "Tu correo electrónico",
    phone_label: "Tu número de teléfono",
    window_from: "Entre",
    window_to: "y",
    promise_here: "Una persona responderá aquí; puedes cerrar esta ventana y volver.",
    promise_email: "Una persona escribirá a esta dirección.",
    promise_phone: "Una persona te llamará en la franja elegida.",
    send: "Enviar",
    you: "Tú",
    joined: "{name} se ha unido a la conversación",
    closed_notice: "La conversación se ha cerrado",
    reopened_notice: "La conversación se ha reabierto",
    assigned_notice: "La conversación se ha asignado",
    moved_notice: "La conversación ha pasado a otro equipo",
    delete: "Eliminar conversación",
    delete_confirm: "¿Eliminar de verdad?",
    deleted: "La conversación y sus mensajes se han eliminado.",
    sent: "Gracias, tu mensaje se ha enviado.",
    network_error: "No hemos podido conectar. Tu mensaje sigue aquí; inténtalo de nuevo.",
    error: "No ha funcionado. Tu mensaje sigue aquí; inténtalo más tarde.",
    check_input: "Revisa tu correo electrónico, tu teléfono o las horas.",
    check_window: "Elige una franja con 15 minutos del horario del equipo desde ahora.",
    new_message: "Nuevo mensaje de {name}",
    typing: "{name} está escribiendo…",
    kinds: [
        "Número de tarjeta",
        "Correo electrónico",
        "Número de teléfono",
        "IBAN",
        "Número de seguridad social",
        "Dirección IP",
    ],
};

const NL: Strings = Strings {
    lang: "nl",
    title: "Praat met ons team",
    close: "Sluiten",
    here_now: "Nu aanwezig: {names}",
    typical: "Eerste antwoord meestal binnen ongeveer {n} {unit}",
    away: "Er is nu niemand aanwezig. Laat je e-mailadres achter, dan schrijft een mens je terug.",
    closed_until: "We zijn gesloten. Weer open {when} (jouw tijd).",
    closed: "We zijn nu gesloten.",
    no_team: "Deze site neemt nog geen berichten aan.",
    message_label: "Je bericht",
    placeholder: "Stel je vraag…",
    goes_to: "Gaat naar",
    team_guess: "Slechts een gok: kies een ander team als dat beter past.",
    removed: "{kind} verwijderd — dat hebben we hier nooit nodig.",
    we_receive: "Dit ontvangen wij:",
    reply_how: "Hoe moeten we antwoorden?",
    reply_here: "Hier, in dit venster",
    reply_email: "Per e-mail",
    reply_phone: "Bel me terug",
    email_label: "Je e-mailadres",
    phone_label: "Je telefoonnummer",
    window_from: "Tussen",
    window_to: "en",
    promise_here: "Een mens antwoordt hier; je kunt dit venster sluiten en terugkomen.",
    promise_email: "Een mens schrijft naar dit adres.",
    promise_phone: "Een mens belt je binnen het gekozen tijdvak.",
    send: "Versturen",
    you: "Jij",
    joined: "{name} neemt deel aan het gesprek",
    closed_notice: "Het gesprek is gesloten",
    reopened_notice: "Het gesprek is heropend",
    assigned_notice: "Het gesprek is toegewezen",
    moved_notice: "Het gesprek is doorgegeven aan een ander team",
    delete: "Gesprek verwijderen",
    delete_confirm: "Echt verwijderen?",
    deleted: "Het gesprek en de berichten zijn verwijderd.",
    sent: "Bedankt, je bericht is verzonden.",
    network_error: "We zijn niet bereikbaar. Je bericht staat er nog; probeer het opnieuw.",
    error: "Dat lukte niet. Je bericht staat er nog; probeer het later opnieuw.",
    check_input: "Controleer je e-mailadres, telefoonnummer of tijden.",
    check_window: "Kies een tijdvak met 15 minuten binnen de teamtijden vanaf nu.",
    new_message: "Nieuw bericht van {name}",
    typing: "{name} typt…",
    kinds: [
        "Kaartnummer",
        "E-mailadres",
        "Telefoonnummer",
        "IBAN",
        "Burgerservicenummer",
        "IP-adres",
    ],
};

const IT: Strings = Strings {
    lang: "it",
    title: "Parla con il nostro team",
    close: "Chiudi",
    here_now: "Presenti ora: {names}",
    typical: "Prima risposta di solito in circa {n} {unit}",
    away: "Al momento non c'è nessuno. Lascia il tuo indirizzo e-mail e una persona ti risponderà.",
    closed_until: "Siamo chiusi. Di nuovo qui {when} (ora locale).",
    closed: "Al momento siamo chiusi.",
    no_team: "Questo sito non riceve ancora messaggi.",
    message_label: "Il tuo messaggio",
    placeholder: "Chiedici pure…",
    goes_to: "Destinatario",
    team_guess: "È solo una nostra ipotesi: scegli un altro team se è più adatto.",
    removed: "{kind} rimosso — qui non ci serve mai.",
    we_receive: "Ecco cosa riceveremo:",
    reply_how: "Come preferisci la risposta?",
    reply_here: "Qui, in questa finestra",
    reply_email: "Per e-mail",
    reply_phone: "Richiamatemi",
    email_label: "Il tuo indirizzo e-mail",
    phone_label: "Il tuo numero di telefono",
    window_from: "Tra le",
    window_to: "e le",
    promise_here: "Una persona risponderà qui; puoi chiudere questa finestra e tornare più tardi.",
    promise_email: "Una persona scriverà a questo indirizzo.",
    promise_phone: "Una persona ti chiamerà nella fascia oraria scelta.",
    send: "Invia",
    you: "Tu",
    joined: "{name} è entrato nella conversazione",
    closed_notice: "La conversazione è stata chiusa",
    reopened_notice: "La conversazione è stata riaperta",
    assigned_notice: "La conversazione è stata assegnata",
    moved_notice: "La conversazione è stata passata a un altro team",
    delete: "Elimina la conversazione",
    delete_confirm: "Eliminare davvero?",
    deleted: "La conversazione e i suoi messaggi sono stati eliminati.",
    sent: "Grazie, il tuo messaggio è stato inviato.",
    network_error: "Non è stato possibile raggiungerci. Il tuo messaggio è ancora qui; riprova.",
    error: "Non ha funzionato. Il tuo messaggio è ancora qui; riprova più tardi.",
    check_input: "Controlla indirizzo e-mail, numero di telefono o orari.",
    check_window: "Scegli una fascia con 15 minuti dell'orario del team da ora in poi.",
    new_message: "Nuovo messaggio da {name}",
    typing: "{name} sta scrivendo…",
    kinds: [
        "Numero di carta",
        "Indirizzo e-mail",
        "Numero di telefono",
        "IBAN",
        "Numero di previdenza sociale",
        "Indirizzo IP",
    ],
};

const PT: Strings = Strings {
    lang: "pt",
    title: "Fale com a nossa equipa",
    close: "Fechar",
    here_now: "Agora aqui: {names}",
    typical: "Primeira resposta habitual: cerca de {n} {unit}",
    away: "Neste momento não está ninguém. Deixe o seu e-mail e uma pessoa responder-lhe-á.",
    closed_until: "Estamos fechados. Voltamos {when} (a sua hora).",
    closed: "Neste momento estamos fechados.",
    no_team: "Este site ainda não recebe mensagens.",
    message_label: "A sua mensagem",
    placeholder: "Pergunte-nos o que quiser…",
    goes_to: "Vai para",
    team_guess: "É só um palpite: escolha outra equipa se for mais adequada.",
    removed: "{kind} removido — nunca precisamos disso aqui.",
    we_receive: "O que vamos receber:",
    reply_how: "Como devemos responder?",
    reply_here: "Aqui, nesta janela",
    reply_email: "Por e-mail",
    reply_phone: "Liguem-me",
    email_label: "O seu e-mail",
    phone_label: "O seu número de telefone",
    window_from: "Entre",
    window_to: "e",
    promise_here: "Uma pessoa responderá aqui; pode fechar esta janela e voltar.",
    promise_email: "Uma pessoa escreverá para este endereço.",
    promise_phone: "Uma pessoa ligará no intervalo que escolheu.",
    send: "Enviar",
    you: "Você",
    joined: "{name} juntou-se à conversa",
    closed_notice: "A conversa foi fechada",
    reopened_notice: "A conversa foi reaberta",
    assigned_notice: "A conversa foi atribuída",
    moved_notice: "A conversa passou para outra equipa",
    delete: "Apagar conversa",
    delete_confirm: "Apagar mesmo?",
    deleted: "A conversa e as suas mensagens foram apagadas.",
    sent: "Obrigado, a sua mensagem foi enviada.",
    network_error: "Não foi possível contactar-nos. A sua mensagem continua aqui; tente de novo.",
    error: "Não funcionou. A sua mensagem continua aqui; tente mais tarde.",
    check_input: "Verifique o seu e-mail, número de telefone ou horas.",
    check_window: "Escolha um intervalo com 15 minutos do horário da equipa a partir de agora.",
    new_message: "Nova mensagem de {name}",
    typing: "{name} está a escrever…",
    kinds: [
        "Número de cartão",
        "Endereço de e-mail",
        "Número de telefone",
        "IBAN",
        "Número de segurança social",
        "Endereço IP",
    ],
};

/// Brazilian Portuguese, where it differs from the European table above
/// ("equipe", "digitando", "excluir", "seu" without the article).
const PT_BR: Strings = Strings {
    lang: "pt-BR",
    title: "Fale com nossa equipe",
    placeholder: "Pergunte o que quiser…",
    promise_phone: "Uma pessoa vai ligar no horário que você escolheu.",
    delete: "Excluir conversa",
    delete_confirm: "Excluir mesmo?",
    kinds: [
        "Número do cartão",
        "Endereço de e-mail",
        "Número de telefone",
        "IBAN",
        "Número do seguro social",
        "Endereço IP",
    ],
    away: "No momento não há ninguém aqui. Deixe seu e-mail e uma pessoa vai responder.",
    closed_until: "Estamos fechados. Voltamos {when} (seu horário).",
    closed: "No momento estamos fechados.",
    message_label: "Sua mensagem",
    team_guess: "É só um palpite: escolha outra equipe se for mais adequada.",
    reply_phone: "Me liguem",
    email_label: "Seu e-mail",
    phone_label: "Seu número de telefone",
    promise_here: "Uma pessoa vai responder aqui; você pode fechar esta janela e voltar.",
    joined: "{name} entrou na conversa",
    moved_notice: "A conversa passou para outra equipe",
    deleted: "A conversa e suas mensagens foram excluídas.",
    sent: "Obrigado, sua mensagem foi enviada.",
    network_error: "Não foi possível falar conosco. Sua mensagem continua aqui; tente de novo.",
    error: "Não funcionou. Sua mensagem continua aqui; tente mais tarde.",
    check_input: "Verifique seu e-mail, número de telefone ou horário.",
    check_window: "Escolha um intervalo com 15 minutos do horário da equipe a partir de agora.",
    typing: "{name} está digitando…",
    ..PT
};

/// Tables compare by identity: each language has exactly one (and a
/// component's props compare in one instruction).
impl PartialEq for Strings {
    fn eq(&self, other: &Self) -> bool {
        core::ptr::eq(self, other)
    }
}

/// The strings for a BCP 47 tag (`de-AT` → German); English otherwise.
pub fn strings(locale: &str) -> &'static Strings {
    match primary(locale).as_str() {
        "de" => &DE,
        "fr" => &FR,
        "es" => &ES,
        "nl" => &NL,
        "pt" if region(locale) == "br" => &PT_BR,
        "pt" => &PT,
        "it" => &IT,
        _ => &EN,
    }
}

/// The region of a tag (`pt-BR` → `br`), in lower case; empty without one.
fn region(locale: &str) -> String {
    locale
        .split(['-', '_'])
        .skip(1)
        .find(|part| part.len() == 2 || part.len() == 3 && part.bytes().all(|b| b.is_ascii_digit()))
        .unwrap_or_default()
        .to_ascii_lowercase()
}

fn primary(locale: &str) -> String {
    locale
        .split(['-', '_'])
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase()
}

/// Where a personal-data kind (`card`, `email`, …) is in `Strings::kinds`.
pub fn kind_index(kind: &str) -> usize {
    match kind {
        "card" => 0,
        "email" => 1,
        "phone" => 2,
        "iban" => 3,
        "ssn" => 4,
        _ => 5,
    }
}

/// Fills `{name}` placeholders in one pass (a value is not searched again;
/// unknown placeholders stay as they are).
pub fn fill(template: &str, pairs: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    // `split_once`, not indexing: no slicing panic (and its formatting
    // code) is linked into the widget.
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        let named = after.split_once('}').and_then(|(name, tail)| {
            let (_, value) = pairs.iter().find(|(n, _)| *n == name)?;
            Some((value, tail))
        });
        match named {
            Some((value, tail)) => {
                out.push_str(value);
                rest = tail;
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Why a call failed, in the visitor's words, and the reply input a
/// refusal is about (`callback`: the visitor asked for a call back; see
/// `conversation::refused_input`). The worker's own reason is English and
/// for the site's developers: it goes to the console.
pub fn explain(
    strings: &Strings,
    callback: bool,
    failure: &crate::fetch::Failure,
) -> (String, Option<ReplyInput>) {
    use crate::fetch::Failure;
    let (text, input) = match failure {
        Failure::Network => (strings.network_error, None),
        Failure::Api {
            status,
            code,
            message,
        } => {
            web_sys::console::warn_1(&["Touchpoint: ", code, ": ", message].concat().into());
            let input = if *status == 422 {
                crate::domain::conversation::refused_input(message, callback)
            } else {
                None
            };
            let text = match (input, status) {
                (Some(ReplyInput::Window), _) => strings.check_window,
                (_, 422) => strings.check_input,
                _ => strings.error,
            };
            (text, input)
        }
    };
    (text.to_owned(), input)
}

/// `explain` in the panel's language for a request that sent no input of
/// the visitor's (availability, deleting the conversation).
pub fn explain_in(locale: &str, failure: &crate::fetch::Failure) -> String {
    explain(strings(locale), false, failure).0
}

/// The locale times are written in: the page's own when the panel speaks
/// its language (`en-GB` keeps its 24-hour clock), else the panel's
/// language, so an English panel on an Arabic page does not read
/// "Back الاثنين 05:00 م".
pub fn time_locale(locale: &str) -> &str {
    let lang = strings(locale).lang;
    if primary(locale) == lang && !locale.contains('_') {
        locale
    } else {
        lang
    }
}

/// Formats an instant in the visitor's own time zone and the panel's
/// language (`time_locale`); `with_day` names the weekday, and the date too
/// when it is a week or more away (`contact::needs_date`).
pub fn local_time(locale: &str, ms: i64, with_day: bool) -> String {
    use wasm_bindgen::JsValue;
    let options = js_sys::Object::new();
    let set = |k: &str, v: &str| {
        let _ = js_sys::Reflect::set(&options, &JsValue::from_str(k), &JsValue::from_str(v));
    };
    if with_day {
        set("weekday", "long");
        if crate::domain::contact::needs_date(ms, js_sys::Date::now() as i64) {
            set("day", "numeric");
            set("month", "long");
        }
    }
    set("hour", "2-digit");
    set("minute", "2-digit");
    let format = js_sys::Intl::DateTimeFormat::new(
        &js_sys::Array::of1(&JsValue::from_str(time_locale(locale))),
        &options,
    )
    .format();
    format
        .call1(
            &JsValue::NULL,
            &js_sys::Date::new(&JsValue::from_f64(ms as f64)),
        )
        .ok()
        .and_then(|s| s.as_string())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fill_replaces_each_named_placeholder_and_leaves_the_rest() {
        assert_eq!(
            fill("about {n} {unit}, {n}!", &[("n", "3"), ("unit", "min")]),
            "about 3 min, 3!"
        );
        assert_eq!(
            fill("{name} joined", &[("name", "Ana {name}")]),
            "Ana {name} joined",
            "a value is not filled again"
        );
        assert_eq!(fill("{other} {x", &[("x", "1")]), "{other} {x");
    }

    #[test]
    fn each_language_has_its_table_and_says_which_it_is() {
        for (locale, lang) in [
            ("de-AT", "de"),
            ("FR", "fr"),
            ("es_MX", "es"),
            ("it-CH", "it"),
            ("nl", "nl"),
            ("pt-BR", "pt-BR"),
            ("pt_br", "pt-BR"),
            ("pt-Latn-BR", "pt-BR"),
            ("pt-PT", "pt"),
            ("pt", "pt"),
            ("en-GB", "en"),
            // A language the panel does not speak gets English, marked as
            // English (not as Arabic, right to left).
            ("ar-EG", "en"),
            ("", "en"),
        ] {
            assert_eq!(strings(locale).lang, lang, "{locale}");
        }
        // Times are written in the panel's language: the page's own tag
        // when the panel speaks it, else the panel's.
        for (locale, time) in [
            ("en-GB", "en-GB"),
            ("de-AT", "de-AT"),
            ("pt-BR", "pt-BR"),
            ("ar-EG", "en"),
            ("ar", "en"),
            ("ja-JP", "en"),
            ("es_MX", "es"),
            ("", "en"),
        ] {
            assert_eq!(time_locale(locale), time, "{locale}");
        }
        // No sentence shows the worker's English reason any more.
        for table in [&EN, &DE, &FR, &ES, &IT, &NL, &PT, &PT_BR] {
            for text in [table.error, table.check_input, table.check_window] {
                assert!(!text.contains('{'), "{text}");
            }
        }
    }
}
