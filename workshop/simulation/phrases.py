"""The words of the simulated model's replies, in the five languages it can be told to use.

Each reply kind has several variants (which temperature chooses among); a variant is a tuple
of sentences, the answer itself first, so a length instruction can keep just that one.
Placeholders are filled by the reply writer: {name}, {place}, {when}, {items}, {persona},
{role}, {subject}, {value}, {title}, {sum}, {result}, {days}.
"""

from __future__ import annotations

Variant = tuple[str, ...]

OPENERS: dict[str, tuple[str, ...]] = {
    "en": ("Good question!", "Happy to help.", "Here's my suggestion:", "Sure.", "Let me help with that."),
    "fr": ("Bonne question !", "Avec plaisir.", "Voici ma suggestion :"),
    "es": ("¡Buena pregunta!", "Con gusto.", "Esta es mi sugerencia:"),
    "de": ("Gute Frage!", "Gern geholfen.", "Mein Vorschlag:"),
    "pt": ("Boa pergunta!", "Com todo o gosto.", "Aqui vai a minha sugestão:"),
}

MONTH_NAMES = {
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
           "octobre", "novembre", "décembre"),
    "es": ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
           "octubre", "noviembre", "diciembre"),
    "de": ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
           "Oktober", "November", "Dezember"),
    "pt": ("janeiro", "fevereiro", "março", "abril", "maio", "junho", "julho", "agosto", "setembro",
           "outubro", "novembro", "dezembro"),
}
IN_MONTH = {"en": " in {month}", "fr": " en {month}", "es": " en {month}", "de": " im {month}",
            "pt": " em {month}"}
NO_PLACE = {"en": "your destination", "fr": "votre destination", "es": "tu destino",
            "de": "dein Reiseziel", "pt": "o seu destino"}

ITEMS: dict[str, dict[str, str]] = {
    "en": {
        "winter": "a warm coat, a hat and gloves, and waterproof boots",
        "spring": "light layers, a compact umbrella and comfortable walking shoes",
        "summer": "breathable clothes, sunscreen, a sun hat and a refillable water bottle",
        "autumn": "layers you can combine, a light waterproof jacket and shoes with good grip",
        "any": "layers you can combine, comfortable walking shoes and a light rain jacket",
    },
    "fr": {
        "winter": "un manteau chaud, un bonnet, des gants et des bottes imperméables",
        "spring": "des couches légères, un parapluie compact et de bonnes chaussures de marche",
        "summer": "des vêtements légers, de la crème solaire, un chapeau et une gourde",
        "autumn": "des couches à combiner, une veste imperméable légère et des chaussures qui adhèrent",
        "any": "des couches à combiner, de bonnes chaussures de marche et un imperméable léger",
    },
    "es": {
        "winter": "un abrigo caliente, gorro, guantes y botas impermeables",
        "spring": "capas ligeras, un paraguas pequeño y calzado cómodo para caminar",
        "summer": "ropa transpirable, protector solar, un sombrero y una botella reutilizable",
        "autumn": "capas combinables, una chaqueta impermeable ligera y zapatos con buen agarre",
        "any": "capas combinables, calzado cómodo y un chubasquero ligero",
    },
    "de": {
        "winter": "einen warmen Mantel, Mütze, Handschuhe und wasserdichte Stiefel",
        "spring": "leichte Schichten, einen kleinen Schirm und bequeme Wanderschuhe",
        "summer": "luftige Kleidung, Sonnencreme, einen Sonnenhut und eine Trinkflasche",
        "autumn": "Kleidung zum Kombinieren, eine leichte Regenjacke und rutschfeste Schuhe",
        "any": "Kleidung zum Kombinieren, bequeme Schuhe und eine leichte Regenjacke",
    },
    "pt": {
        "winter": "um casaco quente, gorro, luvas e botas impermeáveis",
        "spring": "camadas leves, um guarda-chuva pequeno e calçado confortável",
        "summer": "roupa leve, protetor solar, um chapéu e uma garrafa reutilizável",
        "autumn": "camadas para combinar, um casaco impermeável leve e sapatos com boa aderência",
        "any": "camadas para combinar, calçado confortável e um impermeável leve",
    },
}

BLOG_TITLES = ("{subject} Unpacked", "Postcards from {subject}", "Slow Roads of {subject}",
               "{subject} on Foot", "Wandering {subject}", "The {subject} Notebook",
               "Tiles and Tides: {subject}", "A Week in {subject}")

REPLIES: dict[str, dict[str, tuple[Variant, ...]]] = {
    "en": {
        "image": (("An image was attached, but this offline practice model cannot see what it shows.",),
                  ("An image was attached; I can't look at it, as I'm a practice model running offline.",),
                  ("I can tell an image was attached, but not what is in it.",)),
        "name_known": (("Your name is {name}.",), ("You told me your name is {name}.",),
                       ("You're {name}!",), ("It's {name}, unless you've changed it since you told me.",)),
        "name_unknown": (("I don't know your name: you haven't told me in this conversation.",),
                         ("I'm sorry, I don't know your name. Nothing in our conversation mentions it.",),
                         ("You haven't told me your name yet, so I can't say.",)),
        "fact_known": (("You told me {subject} is {value}.",), ("It's {value}, as you told me.",)),
        "fact_unknown": (("You haven't told me that in this conversation, so I don't know.",),
                         ("I don't know: nothing in our conversation says.",)),
        "greeting_named": (("Nice to meet you, {name}! How can I help?",),
                           ("Hello, {name}! What would you like to talk about?",),
                           ("Hi {name}, good to meet you. What can I do for you?",)),
        "greeting": (("Hello! How can I help you plan your trip?",),
                     ("Hi there! Where would you like to go?",),
                     ("Hello! Ask me anything about your travels.",)),
        "thanks": (("You're welcome!",), ("Glad I could help.",), ("Any time. Enjoy your trip!",)),
        "identity": (("I'm {persona}, {role}.",), ("My name is {persona}; I'm {role}.",)),
        "identity_unnamed": (("I'm {role}, a practice model that runs offline for this course.",),
                             ("I'm a simulated model, {role}: I run offline so you can practise.",)),
        "packing": (("For {place}{when}, pack {items}.", "Leave some room for souvenirs."),
                    ("Pack {items} for {place}{when}.", "Roll your clothes to save space."),
                    ("{place}{when} calls for {items}.", "Bring a power adapter too.")),
        "when": (("The best time to visit {place} is late spring or early autumn, when the weather is "
                  "mild and the crowds are smaller.", "Summer is livelier but busier and pricier."),
                 ("Go to {place} in May, June or September for pleasant weather and fewer queues.",
                  "Winter is cheapest if you don't mind rain."),
                 ("Spring and autumn are the sweet spots for {place}.", "Book early for summer.")),
        "budget": (("To save money in {place}, eat your main meal at lunchtime, when set menus are "
                    "cheaper.", "A public-transport day pass usually pays for itself."),
                   ("In {place}, buy a transport pass and book popular sights online, where "
                    "tickets are often cheaper.", "Free walking tours are a good start."),
                   ("Stay a little outside the centre of {place}: rooms cost less and the metro is quick.",
                    "Markets are a cheap way to eat well.")),
        "weather": (("In {place}{when}, expect changeable weather: dress in layers and check the "
                     "forecast a few days before you leave.",),
                    ("The weather in {place}{when} can turn quickly, so plan indoor options for rainy "
                     "afternoons.",),
                    ("Mornings in {place}{when} are often cool and afternoons pleasant; layers work best.",)),
        "food": (("In {place}, try the local bakeries in the morning and a family-run tavern for dinner.",),
                 ("Ask for the dish of the day in {place}: it is usually fresh, local and good value.",),
                 ("Markets are the best place in {place} to taste regional specialities cheaply.",)),
        "sights": (("In {place}, start with the old town on foot, then take a tram to a viewpoint at "
                    "sunset.",),
                   ("Spend one day in {place} on museums, one on neighbourhoods and keep one free.",),
                   ("Book the popular sights of {place} ahead, and wander the side streets between them.",)),
        "station": (("I can't see a map from here, so ask at your hotel or check a maps app for the "
                     "nearest station to you.",),
                    ("I don't know where you are exactly; a maps app will show the nearest station in "
                     "{place}.",)),
        "blog_name": (("How about \"{title}\"?",), ("You could call it \"{title}\".",),
                      ("Try \"{title}\".",)),
        "arithmetic": (("{sum} is {result}.",), ("That's {result}.",)),
        "other_yes_no": (("I'm not able to check that offline, so I won't guess.",),
                ("I can't say yes or no to that reliably: I'm a practice model that runs "
                          "offline and knows only about trip planning.",),
                         ("I don't know, honestly: this offline practice model can't check that.",)),
        "other_how": (("I won't guess at steps I can't check; a real model or a search will serve you "
                       "better.",),
                ("I can't give you reliable steps for that: I'm an offline practice model that "
                       "only knows about trip planning.",),
                      ("I don't know how, honestly; this practice model only helps with travel plans.",)),
        "other_why": (("I won't guess at reasons I can't check offline.",),
                ("I can't explain that reliably: I'm an offline practice model that only knows "
                       "about trip planning.",),
                      ("I don't know why, honestly; this practice model only helps with travel plans.",)),
        "other_what": (("I won't guess: this offline practice model can't look that up.",),
                ("I don't know the answer to that: I'm an offline practice model that only knows "
                        "about trip planning.",),
                       ("I can't answer that reliably; this practice model knows about packing, when to "
                        "travel and budgets, not {subject}.",)),
        "other_request": (("I'd rather not guess at that; ask me about a trip instead.",),
                ("I can't do that well: I'm an offline practice model that only helps with "
                           "trip planning.",),
                          ("That's beyond this practice model, which only knows about travel plans.",)),
        "other_statement": (("Thanks for telling me. Where are you thinking of going?",),
                ("Noted. Tell me where you'd like to travel and I can help plan it.",),
                            ("I see. Is there a trip I can help you plan?",)),
    },
    "fr": {
        "image": (("Une image a été jointe, mais ce modèle hors ligne ne peut pas la voir.",),),
        "name_known": (("Vous vous appelez {name}.",), ("Votre nom est {name}.",)),
        "name_unknown": (("Je ne connais pas votre nom : vous ne me l'avez pas dit.",),
                         ("Vous ne m'avez pas encore dit votre nom.",)),
        "fact_known": (("Vous m'avez dit que {subject} est {value}.",),),
        "fact_unknown": (("Vous ne me l'avez pas dit, je ne le sais donc pas.",),),
        "greeting_named": (("Enchanté, {name} ! Comment puis-je vous aider ?",),
                           ("Bonjour {name} ! De quoi voulez-vous parler ?",)),
        "greeting": (("Bonjour ! Comment puis-je vous aider à préparer votre voyage ?",),
                     ("Salut ! Où aimeriez-vous aller ?",)),
        "thanks": (("Je vous en prie !",), ("Avec plaisir, bon voyage !",)),
        "identity": (("Je suis {persona}, {role}.",),),
        "identity_unnamed": (("Je suis un modèle d'entraînement hors ligne, {role}.",),),
        "packing": (("Pour {place}{when}, emportez {items}.", "Gardez de la place pour les souvenirs."),
                    ("Emportez {items} pour {place}{when}.",
                     "Roulez vos vêtements pour gagner de la place.")),
        "when": (("La meilleure période pour visiter {place} est la fin du printemps ou le début de "
                  "l'automne.", "L'été est plus animé mais plus cher."),
                 ("Allez à {place} en mai, juin ou septembre pour un temps agréable.",)),
        "budget": (("Pour économiser à {place}, prenez le repas principal le midi, quand les menus "
                    "sont moins chers.",),
                   ("À {place}, achetez un pass de transport et réservez les visites en ligne.",)),
        "weather": (("À {place}{when}, le temps est changeant : habillez-vous en couches.",),
                    ("Le temps à {place}{when} change vite ; prévoyez des activités à l'abri.",)),
        "food": (("À {place}, goûtez les boulangeries le matin et une taverne familiale le soir.",),
                 ("Demandez le plat du jour à {place} : il est frais et bon marché.",)),
        "sights": (("À {place}, commencez par la vieille ville à pied, puis un tram vers un belvédère.",),
                   ("Réservez les grands sites de {place} à l'avance et flânez entre eux.",)),
        "station": (("Je ne vois pas de carte d'ici : une application de cartes vous montrera la gare "
                     "la plus proche.",),),
        "blog_name": (("Que diriez-vous de « {title} » ?",), ("Essayez « {title} ».",)),
        "arithmetic": (("{sum} font {result}.",),),
        "other": (("Je ne sais pas, honnêtement : je suis un modèle d'entraînement hors ligne qui ne "
                   "connaît que les voyages.",),
                  ("Je ne peux pas répondre de façon fiable : je ne connais que la préparation "
                   "de voyages.",)),
    },
    "es": {
        "image": (("Se adjuntó una imagen, pero este modelo sin conexión no puede verla.",),),
        "name_known": (("Te llamas {name}.",), ("Tu nombre es {name}.",)),
        "name_unknown": (("No sé cómo te llamas: no me lo has dicho.",),
                         ("Todavía no me has dicho tu nombre.",)),
        "fact_known": (("Me dijiste que {subject} es {value}.",),),
        "fact_unknown": (("No me lo has dicho, así que no lo sé.",),),
        "greeting_named": (("¡Encantado, {name}! ¿En qué puedo ayudarte?",),
                           ("¡Hola, {name}! ¿De qué quieres hablar?",)),
        "greeting": (("¡Hola! ¿Cómo puedo ayudarte a planear tu viaje?",), ("¡Hola! ¿Adónde quieres ir?",)),
        "thanks": (("¡De nada!",), ("¡Un placer, buen viaje!",)),
        "identity": (("Soy {persona}, {role}.",),),
        "identity_unnamed": (("Soy un modelo de práctica sin conexión, {role}.",),),
        "packing": (("Para {place}{when}, lleva {items}.", "Deja sitio para los recuerdos."),
                    ("Lleva {items} para {place}{when}.", "Enrolla la ropa para ahorrar espacio.")),
        "when": (("La mejor época para visitar {place} es al final de la primavera o a principios del "
                  "otoño.", "El verano es más animado, pero más caro."),
                 ("Ve a {place} en mayo, junio o septiembre para disfrutar de buen tiempo.",)),
        "budget": (("Para ahorrar en {place}, come el plato fuerte a mediodía, cuando el menú del día es "
                    "más barato.",),
                   ("En {place}, compra un abono de transporte y reserva las visitas en línea.",)),
        "weather": (("En {place}{when} el tiempo cambia mucho: vístete por capas.",),
                    ("El tiempo en {place}{when} cambia rápido; ten planes bajo techo.",)),
        "food": (("En {place}, prueba las panaderías por la mañana y una taberna familiar por la noche.",),
                 ("Pide el plato del día en {place}: suele ser fresco y barato.",)),
        "sights": (("En {place}, empieza por el casco antiguo a pie y sube en tranvía a un mirador.",),
                   ("Reserva con antelación los lugares más famosos de {place}.",)),
        "station": (("No puedo ver un mapa desde aquí: una aplicación de mapas te mostrará la estación "
                     "más cercana.",),),
        "blog_name": (("¿Qué tal «{title}»?",), ("Prueba con «{title}».",)),
        "arithmetic": (("{sum} es {result}.",),),
        "other": (("No lo sé, sinceramente: soy un modelo de práctica sin conexión que solo sabe de "
                   "viajes.",),
                  ("No puedo responder a eso con fiabilidad: solo sé planear viajes.",)),
    },
    "de": {
        "image": (("Ein Bild wurde angehängt, aber dieses Offline-Modell kann es nicht sehen.",),),
        "name_known": (("Du heißt {name}.",), ("Dein Name ist {name}.",)),
        "name_unknown": (("Ich kenne deinen Namen nicht: Du hast ihn mir nicht gesagt.",),
                         ("Du hast mir deinen Namen noch nicht verraten.",)),
        "fact_known": (("Du hast mir gesagt, {subject} ist {value}.",),),
        "fact_unknown": (("Das hast du mir nicht gesagt, also weiß ich es nicht.",),),
        "greeting_named": (("Freut mich, {name}! Wie kann ich helfen?",),
                           ("Hallo {name}! Worüber möchtest du sprechen?",)),
        "greeting": (("Hallo! Wie kann ich dir bei deiner Reise helfen?",),
                     ("Hallo! Wohin möchtest du reisen?",)),
        "thanks": (("Gern geschehen!",), ("Bitte sehr, gute Reise!",)),
        "identity": (("Ich bin {persona}, {role}.",),),
        "identity_unnamed": (("Ich bin ein Übungsmodell, das offline läuft: {role}.",),),
        "packing": (("Für {place}{when} pack {items} ein.", "Lass Platz für Souvenirs."),
                    ("Nimm {items} mit nach {place}{when}.", "Roll die Kleidung, das spart Platz.")),
        "when": (("Die beste Reisezeit für {place} ist der späte Frühling oder der frühe Herbst.",
                  "Der Sommer ist lebhafter, aber teurer."),
                 ("Fahr im Mai, Juni oder September nach {place}, dann ist das Wetter angenehm.",)),
        "budget": (("Um in {place} Geld zu sparen, iss mittags, wenn die Mittagsmenüs günstiger sind.",),
                   ("Kauf in {place} eine Tageskarte für den Nahverkehr und buche Eintritte online.",)),
        "weather": (("In {place}{when} ist das Wetter wechselhaft: Zieh dich in Schichten an.",),
                    ("Das Wetter in {place}{when} schlägt schnell um; plane etwas für drinnen ein.",)),
        "food": (("Probier in {place} morgens die Bäckereien und abends eine Familientaverne.",),
                 ("Frag in {place} nach dem Tagesgericht: Es ist frisch und günstig.",)),
        "sights": (("Beginne in {place} mit der Altstadt zu Fuß und fahr dann mit der Tram zu einem "
                    "Aussichtspunkt.",),
                   ("Buche die bekanntesten Sehenswürdigkeiten von {place} im Voraus.",)),
        "station": (("Ich sehe hier keine Karte: Eine Karten-App zeigt dir den nächsten Bahnhof.",),),
        "blog_name": (("Wie wäre es mit „{title}“?",), ("Versuch es mit „{title}“.",)),
        "arithmetic": (("{sum} ergibt {result}.",),),
        "other": (("Das weiß ich ehrlich gesagt nicht: Ich bin ein Übungsmodell, das offline läuft und "
                   "nur Reisen kennt.",),
                  ("Darauf kann ich nicht verlässlich antworten: Ich kenne mich nur mit Reiseplanung aus.",)),
    },
    "pt": {
        "image": (("Foi anexada uma imagem, mas este modelo offline não a consegue ver.",),),
        "name_known": (("Chama-se {name}.",), ("O seu nome é {name}.",)),
        "name_unknown": (("Não sei o seu nome: ainda não mo disse.",), ("Ainda não me disse o seu nome.",)),
        "fact_known": (("Disse-me que {subject} é {value}.",),),
        "fact_unknown": (("Não mo disse, por isso não sei.",),),
        "greeting_named": (("Muito prazer, {name}! Como posso ajudar?",),
                           ("Olá, {name}! Sobre o que quer falar?",)),
        "greeting": (("Olá! Como posso ajudar a planear a sua viagem?",),
                     ("Olá! Para onde gostaria de ir?",)),
        "thanks": (("De nada!",), ("Foi um prazer, boa viagem!",)),
        "identity": (("Sou {persona}, {role}.",),),
        "identity_unnamed": (("Sou um modelo de prática que funciona offline, {role}.",),),
        "packing": (("Para {place}{when}, leve {items}.", "Deixe espaço para recordações."),
                    ("Leve {items} para {place}{when}.", "Enrole a roupa para poupar espaço.")),
        "when": (("A melhor altura para visitar {place} é o fim da primavera ou o início do outono.",
                  "O verão é mais animado, mas mais caro."),
                 ("Vá a {place} em maio, junho ou setembro para apanhar bom tempo.",)),
        "budget": (("Para poupar em {place}, faça a refeição principal ao almoço, quando o prato do dia "
                    "é mais barato.",),
                   ("Em {place}, compre um passe de transportes e reserve as visitas online.",)),
        "weather": (("Em {place}{when} o tempo muda muito: vista-se por camadas.",),
                    ("O tempo em {place}{when} muda depressa; tenha planos para dias de chuva.",)),
        "food": (("Em {place}, prove as pastelarias de manhã e uma tasca familiar ao jantar.",),
                 ("Peça o prato do dia em {place}: costuma ser fresco e barato.",)),
        "sights": (("Em {place}, comece pelo centro histórico a pé e suba de elétrico a um miradouro.",),
                   ("Reserve com antecedência os monumentos mais procurados de {place}.",)),
        "station": (("Não consigo ver um mapa daqui: uma aplicação de mapas mostra a estação mais próxima.",),
                    ("Não sei exatamente onde está; pergunte no hotel ou veja num mapa a estação mais "
                     "próxima.",)),
        "blog_name": (("Que tal «{title}»?",), ("Experimente «{title}».",)),
        "arithmetic": (("{sum} dá {result}.",),),
        "other": (("Não sei, sinceramente: sou um modelo de prática offline que só conhece viagens.",),
                  ("Não consigo responder a isso com rigor: só sei ajudar a planear viagens.",)),
    },
}

DEFAULT_ROLE = {"en": "a travel assistant", "fr": "un assistant de voyage", "es": "un asistente de viajes",
                "de": "ein Reiseassistent", "pt": "um assistente de viagens"}
PERSONA_INTRO = {"en": "I'm {persona}.", "fr": "Je suis {persona}.", "es": "Soy {persona}.",
                 "de": "Ich bin {persona}.", "pt": "Sou {persona}."}
