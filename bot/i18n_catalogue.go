package bot

// The catalogue's data: see i18n.go for how it is used and why it is a Go
// map. To add a message, add its English text as a key with all four
// translations. i18n_test.go fails until every language has one with the
// same fmt verbs. French puts a no-break space (\u00a0) before : ; ? ! and
// inside « », so that the mark never wraps onto a line of its own.

// catalogue translates every message the bot shows, keyed by the English
// text.
var catalogue = map[string]translations{
	// Slash command descriptions (localizeCommands).
	"Ask a question about the documents; the answer cites its passages": {
		langDE: "Stell eine Frage zu den Dokumenten; die Antwort zitiert ihre Textstellen",
		langFR: "Posez une question sur les documents\u00a0; la réponse cite ses passages",
		langES: "Haz una pregunta sobre los documentos; la respuesta cita sus pasajes",
		langRU: "Задать вопрос по документам; ответ цитирует фрагменты",
	},
	"Your question": {langDE: "Deine Frage", langFR: "Votre question", langES: "Tu pregunta", langRU: "Ваш вопрос"},
	"Only you see the answer": {
		langDE: "Nur du siehst die Antwort", langFR: "Vous seul verrez la réponse",
		langES: "Solo tú verás la respuesta", langRU: "Ответ увидите только вы",
	},
	"Ranked passages for a query, without a summary": {
		langDE: "Textstellen zu einer Suche, nach Relevanz geordnet, ohne Zusammenfassung",
		langFR: "Passages classés pour une requête, sans résumé",
		langES: "Pasajes ordenados para una consulta, sin resumen",
		langRU: "Фрагменты по запросу по релевантности, без сводки",
	},
	"What to look for":         {langDE: "Wonach du suchst", langFR: "Ce que vous cherchez", langES: "Qué buscar", langRU: "Что искать"},
	"How many passages (1-10)": {langDE: "Wie viele Textstellen (1-10)", langFR: "Combien de passages (1-10)", langES: "Cuántos pasajes (1-10)", langRU: "Сколько фрагментов (1-10)"},
	"Only you see the results": {
		langDE: "Nur du siehst die Ergebnisse", langFR: "Vous seul verrez les résultats",
		langES: "Solo tú verás los resultados", langRU: "Результаты увидите только вы",
	},
	"The documents the bot answers from": {
		langDE: "Die Dokumente, aus denen der Bot antwortet", langFR: "Les documents dont le bot tire ses réponses",
		langES: "Los documentos con los que responde el bot", langRU: "Документы, по которым отвечает бот",
	},
	"A document's card: authors, date, lead and sections": {
		langDE: "Steckbrief eines Dokuments: Autoren, Datum, Einleitung und Abschnitte",
		langFR: "Fiche d'un document\u00a0: auteurs, date, chapeau et sections",
		langES: "Ficha de un documento: autores, fecha, entradilla y secciones",
		langRU: "Карточка документа: авторы, дата, вступление и разделы",
	},
	"Which document (default: the first)": {
		langDE: "Welches Dokument (Standard: das erste)", langFR: "Quel document (par défaut\u00a0: le premier)",
		langES: "Qué documento (por defecto: el primero)", langRU: "Какой документ (по умолчанию первый)",
	},
	"Only you see the card": {
		langDE: "Nur du siehst den Steckbrief", langFR: "Vous seul verrez la fiche",
		langES: "Solo tú verás la ficha", langRU: "Карточку увидите только вы",
	},
	"Rebuild the index from the configured documents (moderators)": {
		langDE: "Index aus den eingestellten Dokumenten neu aufbauen (Moderation)",
		langFR: "Reconstruire l'index à partir des documents configurés (modérateurs)",
		langES: "Reconstruir el índice a partir de los documentos configurados (moderadores)",
		langRU: "Перестроить индекс из настроенных документов (модераторы)",
	},

	// Errors and refusals.
	"Sorry, the answer took too long. Please try again, or narrow the question.": {
		langDE: "Die Antwort hat leider zu lange gedauert. Bitte versuch es noch einmal oder stell die Frage enger.",
		langFR: "Désolé, la réponse a pris trop de temps. Veuillez réessayer ou préciser la question.",
		langES: "Lo siento, la respuesta tardó demasiado. Inténtalo de nuevo o acota la pregunta.",
		langRU: "К сожалению, ответ занял слишком много времени. Попробуйте ещё раз или сузьте вопрос.",
	},
	"Sorry, I could not answer that right now. Please try again in a moment.": {
		langDE: "Darauf kann ich gerade leider nicht antworten. Bitte versuch es gleich noch einmal.",
		langFR: "Désolé, je ne peux pas répondre pour le moment. Veuillez réessayer dans un instant.",
		langES: "Lo siento, ahora mismo no puedo responder. Inténtalo de nuevo en un momento.",
		langRU: "К сожалению, сейчас я не могу ответить. Попробуйте ещё раз чуть позже.",
	},
	"Something went wrong on our side. Please try again.": {
		langDE: "Bei uns ist etwas schiefgelaufen. Bitte versuch es noch einmal.",
		langFR: "Un problème est survenu de notre côté. Veuillez réessayer.",
		langES: "Algo salió mal por nuestra parte. Inténtalo de nuevo.",
		langRU: "Что-то пошло не так на нашей стороне. Попробуйте ещё раз.",
	},
	"Sorry, the search failed. Please try again.": {
		langDE: "Die Suche ist leider fehlgeschlagen. Bitte versuch es noch einmal.",
		langFR: "Désolé, la recherche a échoué. Veuillez réessayer.",
		langES: "Lo siento, la búsqueda falló. Inténtalo de nuevo.",
		langRU: "К сожалению, поиск не удался. Попробуйте ещё раз.",
	},
	"Sorry, the answer could not be shown. Please try again, or ask differently.": {
		langDE: "Die Antwort konnte leider nicht angezeigt werden. Bitte versuch es noch einmal oder frag anders.",
		langFR: "Désolé, la réponse n'a pas pu être affichée. Veuillez réessayer ou reformuler la question.",
		langES: "Lo siento, no se pudo mostrar la respuesta. Inténtalo de nuevo o pregunta de otra forma.",
		langRU: "К сожалению, ответ не удалось показать. Попробуйте ещё раз или спросите иначе.",
	},
	"I'm answering many questions right now. Please try again in a few seconds.": {
		langDE: "Ich beantworte gerade viele Fragen. Bitte versuch es in ein paar Sekunden noch einmal.",
		langFR: "Je réponds à beaucoup de questions en ce moment. Veuillez réessayer dans quelques secondes.",
		langES: "Estoy respondiendo muchas preguntas ahora mismo. Inténtalo de nuevo en unos segundos.",
		langRU: "Сейчас я отвечаю на много вопросов. Попробуйте ещё раз через несколько секунд.",
	},
	"The bot is restarting. Please ask again in a minute.": {
		langDE: "Der Bot startet neu. Bitte frag in einer Minute noch einmal.",
		langFR: "Le bot redémarre. Veuillez reposer la question dans une minute.",
		langES: "El bot se está reiniciando. Vuelve a preguntar en un minuto.",
		langRU: "Бот перезапускается. Спросите ещё раз через минуту.",
	},
	"No document matches %q. /sources lists them.": {
		langDE: "Kein Dokument passt zu %q. /quellen listet sie auf.",
		langFR: "Aucun document ne correspond à %q. /sources les liste.",
		langES: "Ningún documento coincide con %q. /fuentes los enumera.",
		langRU: "Ни один документ не подходит под %q. Список документов: /источники.",
	},
	"Unknown command. The bot's commands may be out of date; try again in a minute.": {
		langDE: "Unbekannter Befehl. Die Befehle des Bots sind vielleicht veraltet; versuch es in einer Minute noch einmal.",
		langFR: "Commande inconnue. Les commandes du bot ne sont peut-être pas à jour\u00a0; réessayez dans une minute.",
		langES: "Comando desconocido. Puede que los comandos del bot estén desactualizados; inténtalo de nuevo en un minuto.",
		langRU: "Неизвестная команда. Возможно, команды бота устарели; попробуйте ещё раз через минуту.",
	},
	"Slow down a little: you can ask again in %d s.": {
		langDE: "Etwas langsamer, bitte: Du kannst in %d s wieder fragen.",
		langFR: "Doucement\u00a0: vous pourrez reposer une question dans %d s.",
		langES: "Más despacio: podrás preguntar de nuevo en %d s.",
		langRU: "Не так быстро: снова спросить можно через %d с.",
	},
	"You are asking too many questions in a short time. Try again in %d s.": {
		langDE: "Du stellst zu viele Fragen in kurzer Zeit. Versuch es in %d s noch einmal.",
		langFR: "Vous posez trop de questions en peu de temps. Réessayez dans %d s.",
		langES: "Estás haciendo demasiadas preguntas en poco tiempo. Inténtalo de nuevo en %d s.",
		langRU: "Вы задаёте слишком много вопросов за короткое время. Попробуйте снова через %d с.",
	},
	"This server is asking too many questions right now. Try again in %d s.": {
		langDE: "Auf diesem Server werden gerade zu viele Fragen gestellt. Versuch es in %d s noch einmal.",
		langFR: "Ce serveur pose trop de questions en ce moment. Réessayez dans %d s.",
		langES: "En este servidor se están haciendo demasiadas preguntas ahora mismo. Inténtalo de nuevo en %d s.",
		langRU: "На этом сервере сейчас задают слишком много вопросов. Попробуйте снова через %d с.",
	},
	"Your question is too long (%d characters). Please keep it to at most %d characters.": {
		langDE: "Deine Frage ist zu lang (%d Zeichen). Bitte beschränke sie auf höchstens %d Zeichen.",
		langFR: "Votre question est trop longue (%d caractères). Veuillez la limiter à %d caractères au plus.",
		langES: "Tu pregunta es demasiado larga (%d caracteres). Limítala a %d caracteres como máximo.",
		langRU: "Вопрос слишком длинный: символов %d, а допустимо не более %d. Сократите его.",
	},
	"Your search is too long (%d characters). Please keep it to at most %d characters.": {
		langDE: "Deine Suche ist zu lang (%d Zeichen). Bitte beschränke sie auf höchstens %d Zeichen.",
		langFR: "Votre recherche est trop longue (%d caractères). Veuillez la limiter à %d caractères au plus.",
		langES: "Tu búsqueda es demasiado larga (%d caracteres). Limítala a %d caracteres como máximo.",
		langRU: "Поисковый запрос слишком длинный: символов %d, а допустимо не более %d. Сократите его.",
	},
	"Please type a question.": {
		langDE: "Bitte gib eine Frage ein.", langFR: "Veuillez saisir une question.",
		langES: "Escribe una pregunta.", langRU: "Введите вопрос.",
	},
	"Please type something to search for.": {
		langDE: "Bitte gib einen Suchbegriff ein.", langFR: "Veuillez saisir ce que vous cherchez.",
		langES: "Escribe algo que buscar.", langRU: "Введите, что искать.",
	},
	"Only moderators (Manage Server, or a moderator role) can rebuild the index.": {
		langDE: "Nur Moderatoren (Server verwalten oder eine Moderatorenrolle) können den Index neu aufbauen.",
		langFR: "Seuls les modérateurs (Gérer le serveur, ou un rôle de modérateur) peuvent reconstruire l'index.",
		langES: "Solo los moderadores (Gestionar servidor, o un rol de moderador) pueden reconstruir el índice.",
		langRU: "Перестроить индекс могут только модераторы (право «Управлять сервером» или роль модератора).",
	},
	"The bot is restarting, so it stopped waiting for the rebuild. The current index keeps serving; run /reindex again once the bot is back.": {
		langDE: "Der Bot startet neu und wartet deshalb nicht mehr auf den Neuaufbau. Der aktuelle Index bleibt in Betrieb; führe /reindizieren erneut aus, sobald der Bot zurück ist.",
		langFR: "Le bot redémarre et a donc cessé d'attendre la reconstruction. L'index actuel reste en service\u00a0; relancez /réindexer une fois le bot de retour.",
		langES: "El bot se está reiniciando, así que dejó de esperar la reconstrucción. El índice actual sigue en servicio; vuelve a ejecutar /reindexar cuando el bot vuelva.",
		langRU: "Бот перезапускается, поэтому перестал ждать перестройки. Текущий индекс продолжает работать; запустите /переиндексировать снова, когда бот вернётся.",
	},
	"The rebuild is taking longer than Discord lets me wait. The current index keeps serving until it is done; check the bot's log for the result.": {
		langDE: "Der Neuaufbau dauert länger, als Discord mich warten lässt. Der aktuelle Index bleibt in Betrieb, bis er fertig ist; das Ergebnis steht im Log des Bots.",
		langFR: "La reconstruction prend plus de temps que Discord ne me laisse attendre. L'index actuel reste en service jusqu'à la fin\u00a0; consultez le journal du bot pour le résultat.",
		langES: "La reconstrucción tarda más de lo que Discord me deja esperar. El índice actual sigue en servicio hasta que termine; consulta el registro del bot para ver el resultado.",
		langRU: "Перестройка идёт дольше, чем Discord позволяет мне ждать. Текущий индекс работает, пока она не закончится; результат смотрите в журнале бота.",
	},
	"Reindex failed: %s": {
		langDE: "Neuaufbau fehlgeschlagen: %s", langFR: "Échec de la réindexation\u00a0: %s",
		langES: "La reindexación falló: %s", langRU: "Переиндексация не удалась: %s",
	},
	"The previous index keeps serving.": {
		langDE: "Der bisherige Index bleibt in Betrieb.", langFR: "L'index précédent reste en service.",
		langES: "El índice anterior sigue en servicio.", langRU: "Прежний индекс продолжает работать.",
	},
	"Documents that could not be read:": {
		langDE: "Dokumente, die nicht gelesen werden konnten:", langFR: "Documents illisibles\u00a0:",
		langES: "Documentos que no se pudieron leer:", langRU: "Документы, которые не удалось прочитать:",
	},
	"This button is not ours any more.": {
		langDE: "Diese Schaltfläche funktioniert nicht mehr.", langFR: "Ce bouton n'est plus valable.",
		langES: "Este botón ya no funciona.", langRU: "Эта кнопка больше не работает.",
	},
	"This answer has expired. Please ask again.": {
		langDE: "Diese Antwort ist abgelaufen. Bitte frag noch einmal.", langFR: "Cette réponse a expiré. Veuillez reposer la question.",
		langES: "Esta respuesta ha caducado. Vuelve a preguntar.", langRU: "Срок этого ответа истёк. Спросите ещё раз.",
	},
	"Sorry, your vote could not be recorded.": {
		langDE: "Deine Stimme konnte leider nicht gespeichert werden.", langFR: "Désolé, votre vote n'a pas pu être enregistré.",
		langES: "Lo siento, no se pudo registrar tu voto.", langRU: "К сожалению, ваш голос не удалось сохранить.",
	},
	"Thanks, your feedback is recorded.": {
		langDE: "Danke, deine Rückmeldung ist gespeichert.", langFR: "Merci, votre avis est enregistré.",
		langES: "Gracias, tu opinión quedó registrada.", langRU: "Спасибо, ваш отзыв сохранён.",
	},
	"Your vote is changed to %s.": {
		langDE: "Deine Stimme lautet jetzt %s.", langFR: "Votre vote est maintenant %s.",
		langES: "Tu voto ahora es %s.", langRU: "Ваша оценка изменена: %s.",
	},

	// Answers, search results and document cards.
	"**Possibly related passages.** They share words with the question but do not answer it; they are not sources.": {
		langDE: "**Möglicherweise verwandte Textstellen.** Sie teilen Wörter mit der Frage, beantworten sie aber nicht; sie sind keine Quellen.",
		langFR: "**Passages peut-être liés.** Ils partagent des mots avec la question mais n'y répondent pas\u00a0; ce ne sont pas des sources.",
		langES: "**Pasajes posiblemente relacionados.** Comparten palabras con la pregunta pero no la responden; no son fuentes.",
		langRU: "**Возможно, связанные фрагменты.** В них есть слова из вопроса, но ответа на него нет; это не источники.",
	},
	"answer shortened to fit Discord": {
		langDE: "Antwort gekürzt, damit sie in Discord passt", langFR: "réponse raccourcie pour tenir dans Discord",
		langES: "respuesta acortada para caber en Discord", langRU: "ответ сокращён под ограничения Discord",
	},
	"Sources":             {langDE: "Quellen", langFR: "Sources", langES: "Fuentes", langRU: "Источники"},
	"Sources (continued)": {langDE: "Quellen (Fortsetzung)", langFR: "Sources (suite)", langES: "Fuentes (continuación)", langRU: "Источники (продолжение)"},
	"The documents do not cover this question.": {
		langDE: "Die Dokumente behandeln diese Frage nicht.", langFR: "Les documents ne traitent pas cette question.",
		langES: "Los documentos no tratan esta pregunta.", langRU: "В документах нет ответа на этот вопрос.",
	},
	"Show passages": {langDE: "Textstellen zeigen", langFR: "Afficher les passages", langES: "Mostrar pasajes", langRU: "Показать фрагменты"},
	"Helpful":       {langDE: "Hilfreich", langFR: "Utile", langES: "Útil", langRU: "Помогло"},
	"Not helpful":   {langDE: "Nicht hilfreich", langFR: "Pas utile", langES: "No útil", langRU: "Не помогло"},
	"This answer cites no passages.": {
		langDE: "Diese Antwort zitiert keine Textstellen.", langFR: "Cette réponse ne cite aucun passage.",
		langES: "Esta respuesta no cita ningún pasaje.", langRU: "Этот ответ не цитирует ни одного фрагмента.",
	},
	"Showing %d of the %d cited passages: Discord allows 6000 characters per message.": {
		langDE: "%d von %d zitierten Textstellen werden gezeigt: Discord erlaubt 6000 Zeichen pro Nachricht.",
		langFR: "%d des %d passages cités sont affichés\u00a0: Discord autorise 6000 caractères par message.",
		langES: "Se muestran %d de los %d pasajes citados: Discord permite 6000 caracteres por mensaje.",
		langRU: "Показано фрагментов: %d из %d. Discord допускает 6000 символов в сообщении.",
	},
	"Search: %s":                {langDE: "Suche: %s", langFR: "Recherche\u00a0: %s", langES: "Búsqueda: %s", langRU: "Поиск: %s"},
	"No passage matches.":       {langDE: "Keine Textstelle passt.", langFR: "Aucun passage ne correspond.", langES: "Ningún pasaje coincide.", langRU: "Подходящих фрагментов нет."},
	"No documents are indexed.": {langDE: "Es sind keine Dokumente indexiert.", langFR: "Aucun document n'est indexé.", langES: "No hay documentos indexados.", langRU: "Нет проиндексированных документов."},
	"/brief shows one":          {langDE: "/steckbrief zeigt eines", langFR: "/fiche en affiche un", langES: "/ficha muestra uno", langRU: "/карточка покажет один"},
	"Authors":                   {langDE: "Autoren", langFR: "Auteurs", langES: "Autores", langRU: "Авторы"},
	"Published":                 {langDE: "Veröffentlicht", langFR: "Publié", langES: "Publicado", langRU: "Опубликовано"},
	"Passages":                  {langDE: "Textstellen", langFR: "Passages", langES: "Pasajes", langRU: "Фрагменты"},
	"Sections":                  {langDE: "Abschnitte", langFR: "Sections", langES: "Secciones", langRU: "Разделы"},
	"Link":                      {langDE: "Link", langFR: "Lien", langES: "Enlace", langRU: "Ссылка"},
	"… and %d more":             {langDE: "… und %d weitere", langFR: "… et %d de plus", langES: "… y %d más", langRU: "… и ещё %d"},
	"passage":                   {langDE: "Textstelle", langFR: "passage", langES: "pasaje", langRU: "фрагмент"},
	"Untitled document":         {langDE: "Unbenanntes Dokument", langFR: "Document sans titre", langES: "Documento sin título", langRU: "Документ без названия"},
	"Index updated":             {langDE: "Index aktualisiert", langFR: "Index mis à jour", langES: "Índice actualizado", langRU: "Индекс обновлён"},
	"You have used today's model answers, so these are the passages' own words.": {
		langDE: "Du hast deine Modellantworten für heute aufgebraucht, daher stehen hier die Worte der Textstellen selbst.",
		langFR: "Vous avez utilisé vos réponses du modèle pour aujourd'hui\u00a0; voici donc le texte même des passages.",
		langES: "Ya usaste las respuestas del modelo de hoy, así que estas son las palabras de los propios pasajes.",
		langRU: "Вы исчерпали ответы модели на сегодня, поэтому здесь приведён текст самих фрагментов.",
	},
	"The summary model was busy, so these are the passages' own words.": {
		langDE: "Das Zusammenfassungsmodell war ausgelastet, daher stehen hier die Worte der Textstellen selbst.",
		langFR: "Le modèle de résumé était occupé\u00a0; voici donc le texte même des passages.",
		langES: "El modelo de resumen estaba ocupado, así que estas son las palabras de los propios pasajes.",
		langRU: "Модель для сводки была занята, поэтому здесь приведён текст самих фрагментов.",
	},
	"The model's summary could not be checked against the passages, so these are the passages' own words.": {
		langDE: "Die Zusammenfassung des Modells ließ sich nicht an den Textstellen prüfen, daher stehen hier die Worte der Textstellen selbst.",
		langFR: "Le résumé du modèle n'a pas pu être vérifié par rapport aux passages\u00a0; voici donc le texte même des passages.",
		langES: "No se pudo comprobar el resumen del modelo con los pasajes, así que estas son las palabras de los propios pasajes.",
		langRU: "Сводку модели не удалось сверить с фрагментами, поэтому здесь приведён текст самих фрагментов.",
	},
	"The summary model found no clear answer, so these are the passages' own words.": {
		langDE: "Das Zusammenfassungsmodell fand keine klare Antwort, daher stehen hier die Worte der Textstellen selbst.",
		langFR: "Le modèle de résumé n'a pas trouvé de réponse claire\u00a0; voici donc le texte même des passages.",
		langES: "El modelo de resumen no encontró una respuesta clara, así que estas son las palabras de los propios pasajes.",
		langRU: "Модель для сводки не нашла чёткого ответа, поэтому здесь приведён текст самих фрагментов.",
	},
	"The summary model was unavailable, so these are the passages' own words.": {
		langDE: "Das Zusammenfassungsmodell war nicht verfügbar, daher stehen hier die Worte der Textstellen selbst.",
		langFR: "Le modèle de résumé était indisponible\u00a0; voici donc le texte même des passages.",
		langES: "El modelo de resumen no estaba disponible, así que estas son las palabras de los propios pasajes.",
		langRU: "Модель для сводки была недоступна, поэтому здесь приведён текст самих фрагментов.",
	},
	"Possibly related %d (not an answer)": {
		langDE: "Möglicherweise verwandt %d (keine Antwort)", langFR: "Peut-être lié %d (pas une réponse)",
		langES: "Posiblemente relacionado %d (no es una respuesta)", langRU: "Возможно, связано %d (не ответ)",
	},
	"Some passages share words with the question; they are not an answer.": {
		langDE: "Einige Textstellen teilen Wörter mit der Frage; sie sind keine Antwort.",
		langFR: "Certains passages partagent des mots avec la question\u00a0; ce ne sont pas des réponses.",
		langES: "Algunos pasajes comparten palabras con la pregunta; no son una respuesta.",
		langRU: "В некоторых фрагментах есть слова из вопроса, но это не ответ.",
	},
	"No passage is close enough to the question to show.": {
		langDE: "Keine Textstelle ist nah genug an der Frage, um sie zu zeigen.",
		langFR: "Aucun passage n'est assez proche de la question pour être affiché.",
		langES: "Ningún pasaje se acerca lo suficiente a la pregunta para mostrarlo.",
		langRU: "Нет фрагментов, достаточно близких к вопросу, чтобы их показать.",
	},
	"Related to: %s": {langDE: "Verwandt mit: %s", langFR: "En lien avec\u00a0: %s", langES: "Relacionado con: %s", langRU: "Связано с: %s"},
	"These passages share words with the question but do not answer it. They are not sources.": {
		langDE: "Diese Textstellen teilen Wörter mit der Frage, beantworten sie aber nicht. Sie sind keine Quellen.",
		langFR: "Ces passages partagent des mots avec la question mais n'y répondent pas. Ce ne sont pas des sources.",
		langES: "Estos pasajes comparten palabras con la pregunta pero no la responden. No son fuentes.",
		langRU: "В этих фрагментах есть слова из вопроса, но ответа на него нет. Это не источники.",
	},
	"%d · not an answer": {langDE: "%d · keine Antwort", langFR: "%d · pas une réponse", langES: "%d · no es una respuesta", langRU: "%d · не ответ"},

	// /reindex.
	"Index rebuilt: %s, %s in %s.": {
		langDE: "Index neu aufgebaut: %s, %s in %s.", langFR: "Index reconstruit\u00a0: %s, %s en %s.",
		langES: "Índice reconstruido: %s, %s en %s.", langRU: "Индекс перестроен: %s, %s за %s.",
	},
	"(This request joined a rebuild that was already running.)": {
		langDE: "(Diese Anfrage hat sich einem bereits laufenden Neuaufbau angeschlossen.)",
		langFR: "(Cette demande a rejoint une reconstruction déjà en cours.)",
		langES: "(Esta solicitud se unió a una reconstrucción que ya estaba en curso.)",
		langRU: "(Этот запрос присоединился к уже идущей перестройке.)",
	},
	"Every document was read.": {
		langDE: "Jedes Dokument wurde gelesen.", langFR: "Tous les documents ont été lus.",
		langES: "Se leyeron todos los documentos.", langRU: "Все документы прочитаны.",
	},
	"Rebuilding the index… %d/%d passages. Questions are still answered from the current index.": {
		langDE: "Index wird neu aufgebaut… %d/%d Textstellen. Fragen werden weiter aus dem aktuellen Index beantwortet.",
		langFR: "Reconstruction de l'index… %d/%d passages. Les questions sont toujours traitées avec l'index actuel.",
		langES: "Reconstruyendo el índice… %d/%d pasajes. Las preguntas se siguen respondiendo con el índice actual.",
		langRU: "Индекс перестраивается… фрагментов: %d/%d. На вопросы пока отвечает текущий индекс.",
	},
	"Rebuilding the index… %d passages so far. Questions are still answered from the current index.": {
		langDE: "Index wird neu aufgebaut… bisher %d Textstellen. Fragen werden weiter aus dem aktuellen Index beantwortet.",
		langFR: "Reconstruction de l'index… %d passages jusqu'ici. Les questions sont toujours traitées avec l'index actuel.",
		langES: "Reconstruyendo el índice… %d pasajes hasta ahora. Las preguntas se siguen respondiendo con el índice actual.",
		langRU: "Индекс перестраивается… пока фрагментов: %d. На вопросы пока отвечает текущий индекс.",
	},

	// Mentions.
	"Ask me a question about the documents, e.g. “@%s %s”, or use /ask.": {
		langDE: "Stell mir eine Frage zu den Dokumenten, z. B. „@%s %s“, oder nutze /fragen.",
		langFR: "Posez-moi une question sur les documents, par exemple «\u00a0@%s %s\u00a0», ou utilisez /demander.",
		langES: "Hazme una pregunta sobre los documentos, por ejemplo «@%s %s», o usa /preguntar.",
		langRU: "Задайте мне вопрос о документах, например «@%s %s», или используйте /спросить.",
	},

	// Example questions in the mention help; %s is a heading or title of
	// the documents, as written.
	"What does the document say about %s?": {
		langDE: "Was sagt das Dokument über %s?", langFR: "Que dit le document sur %s\u00a0?",
		langES: "¿Qué dice el documento sobre %s?", langRU: "Что говорится в документе о %s?",
	},
	"What do the documents say about %s?": {
		langDE: "Was sagen die Dokumente über %s?", langFR: "Que disent les documents sur %s\u00a0?",
		langES: "¿Qué dicen los documentos sobre %s?", langRU: "Что говорится в документах о %s?",
	},
	"What is %s about?":            {langDE: "Worum geht es in %s?", langFR: "De quoi parle %s\u00a0?", langES: "¿De qué trata %s?", langRU: "О чём %s?"},
	"What do the documents cover?": {langDE: "Worum geht es in den Dokumenten?", langFR: "De quoi parlent les documents\u00a0?", langES: "¿De qué tratan los documentos?", langRU: "О чём эти документы?"},

	// Follow-ups, sharing, refusals and feedback (issue 10 §1–§4).
	"Follow up":                {langDE: "Nachfragen", langFR: "Question de suivi", langES: "Pregunta de seguimiento", langRU: "Уточнить"},
	"Ask a follow-up question": {langDE: "Eine Folgefrage stellen", langFR: "Poser une question de suivi", langES: "Hacer una pregunta de seguimiento", langRU: "Задать уточняющий вопрос"},
	"Your follow-up question":  {langDE: "Deine Folgefrage", langFR: "Votre question de suivi", langES: "Tu pregunta de seguimiento", langRU: "Ваш уточняющий вопрос"},
	"Follow-up of: %s":         {langDE: "Folgefrage zu: %s", langFR: "Suite de\u00a0: %s", langES: "Seguimiento de: %s", langRU: "Уточнение к: %s"},
	"Share to channel":         {langDE: "Im Kanal teilen", langFR: "Partager dans le salon", langES: "Compartir en el canal", langRU: "Поделиться в канале"},
	"Sorry, this answer could not be found right now. Please try again.": {
		langDE: "Diese Antwort ist gerade nicht auffindbar. Bitte versuche es noch einmal.",
		langFR: "Cette réponse est introuvable pour le moment. Veuillez réessayer.",
		langES: "Ahora no se encuentra esta respuesta. Inténtalo de nuevo.",
		langRU: "Сейчас этот ответ не удаётся найти. Попробуйте ещё раз.",
	},
	"This form is not ours any more.": {
		langDE: "Dieses Formular gehört nicht mehr zu uns.", langFR: "Ce formulaire n’est plus le nôtre.",
		langES: "Este formulario ya no es nuestro.", langRU: "Эта форма больше не наша.",
	},
	"Follow-up from %s": {langDE: "Nachfrage von %s", langFR: "Question de suivi de %s", langES: "Seguimiento de %s", langRU: "Уточнение от %s"},
	"Sorry, the answer could not be posted in the thread.": {
		langDE: "Die Antwort konnte leider nicht im Thread gepostet werden.",
		langFR: "Désolé, la réponse n’a pas pu être publiée dans le fil.",
		langES: "Lo siento, no se pudo publicar la respuesta en el hilo.",
		langRU: "К сожалению, не удалось опубликовать ответ в ветке.",
	},
	"Answered in %s.": {langDE: "Beantwortet in %s.", langFR: "Réponse dans %s.", langES: "Respondida en %s.", langRU: "Ответ в %s."},
	"Sorry, the answer could not be shared.": {
		langDE: "Die Antwort konnte leider nicht geteilt werden.", langFR: "Désolé, la réponse n’a pas pu être partagée.",
		langES: "Lo siento, no se pudo compartir la respuesta.", langRU: "К сожалению, не удалось поделиться ответом.",
	},
	"Manage the documents the bot answers from (moderators)": {
		langDE: "Die Dokumente verwalten, aus denen der Bot antwortet (Moderation)", langFR: "Gérer les documents dont le bot tire ses réponses (modération)",
		langES: "Gestionar los documentos de los que responde el bot (moderadores)", langRU: "Управлять документами, по которым отвечает бот (модераторы)",
	},
	"Add a document: a file (PDF, Word, Markdown, text, HTML) or a link": {
		langDE: "Ein Dokument hinzufügen: eine Datei (PDF, Word, Markdown, Text, HTML) oder ein Link", langFR: "Ajouter un document : un fichier (PDF, Word, Markdown, texte, HTML) ou un lien",
		langES: "Añadir un documento: un archivo (PDF, Word, Markdown, texto, HTML) o un enlace", langRU: "Добавить документ: файл (PDF, Word, Markdown, текст, HTML) или ссылку",
	},
	"The document file": {
		langDE: "Die Datei des Dokuments", langFR: "Le fichier du document",
		langES: "El archivo del documento", langRU: "Файл документа",
	},
	"A link to the document": {
		langDE: "Ein Link zum Dokument", langFR: "Un lien vers le document",
		langES: "Un enlace al documento", langRU: "Ссылка на документ",
	},
	"A title to use instead of the document's own": {
		langDE: "Ein Titel statt des eigenen Titels des Dokuments", langFR: "Un titre à utiliser à la place de celui du document",
		langES: "Un título en lugar del propio del documento", langRU: "Заголовок вместо собственного заголовка документа",
	},
	"Stop answering from a document (it can be restored)": {
		langDE: "Nicht mehr aus einem Dokument antworten (wiederherstellbar)", langFR: "Ne plus répondre à partir d’un document (restaurable)",
		langES: "Dejar de responder a partir de un documento (se puede restaurar)", langRU: "Перестать отвечать по документу (можно вернуть)",
	},
	"Which document": {
		langDE: "Welches Dokument", langFR: "Quel document",
		langES: "Qué documento", langRU: "Какой документ",
	},
	"Answer from a removed document again": {
		langDE: "Wieder aus einem entfernten Dokument antworten", langFR: "Répondre de nouveau à partir d’un document retiré",
		langES: "Volver a responder a partir de un documento quitado", langRU: "Снова отвечать по убранному документу",
	},
	"Delete a removed document for good": {
		langDE: "Ein entferntes Dokument endgültig löschen", langFR: "Supprimer définitivement un document retiré",
		langES: "Borrar definitivamente un documento quitado", langRU: "Окончательно удалить убранный документ",
	},
	"The documents, where they came from, and the ones that failed": {
		langDE: "Die Dokumente, ihre Herkunft und die, die nicht gelesen werden konnten", langFR: "Les documents, leur provenance et ceux qui ont échoué",
		langES: "Los documentos, su procedencia y los que fallaron", langRU: "Документы, их источники и те, что не удалось прочитать",
	},
	"The last changes to the library (moderators)": {
		langDE: "Die letzten Änderungen an der Bibliothek (Moderation)", langFR: "Les dernières modifications de la bibliothèque (modération)",
		langES: "Los últimos cambios en la biblioteca (moderadores)", langRU: "Последние изменения библиотеки (модераторы)",
	},
	"How many changes (1-25)": {
		langDE: "Wie viele Änderungen (1-25)", langFR: "Combien de modifications (1-25)",
		langES: "Cuántos cambios (1-25)", langRU: "Сколько изменений (1-25)",
	},
	"Only moderators (Manage Server, or a moderator role) can change the library.": {
		langDE: "Nur Moderatoren (Server verwalten oder eine Moderationsrolle) können die Bibliothek ändern.", langFR: "Seuls les modérateurs (Gérer le serveur, ou un rôle de modération) peuvent modifier la bibliothèque.",
		langES: "Solo los moderadores (Gestionar servidor, o un rol de moderación) pueden cambiar la biblioteca.", langRU: "Изменять библиотеку могут только модераторы (право «Управлять сервером» или роль модератора).",
	},
	"This bot's library cannot be changed from Discord.": {
		langDE: "Die Bibliothek dieses Bots kann nicht aus Discord geändert werden.", langFR: "La bibliothèque de ce bot ne peut pas être modifiée depuis Discord.",
		langES: "La biblioteca de este bot no se puede cambiar desde Discord.", langRU: "Библиотеку этого бота нельзя менять из Discord.",
	},
	"Removed %s: it is no longer used in answers. /docs restore brings it back.": {
		langDE: "%s entfernt: Es wird nicht mehr für Antworten verwendet. /dokumente wiederherstellen holt es zurück.", langFR: "%s retiré : il n’est plus utilisé dans les réponses. /documents restaurer le rétablit.",
		langES: "%s quitado: ya no se usa en las respuestas. /documentos restaurar lo devuelve.", langRU: "%s убран: он больше не используется в ответах. /документы вернуть возвращает его.",
	},
	"Restored %s: it is used in answers again.": {
		langDE: "%s wiederhergestellt: Es wird wieder für Antworten verwendet.", langFR: "%s restauré : il est de nouveau utilisé dans les réponses.",
		langES: "%s restaurado: vuelve a usarse en las respuestas.", langRU: "%s возвращён: он снова используется в ответах.",
	},
	"Purged %s: its original is deleted and it cannot be restored.": {
		langDE: "%s gelöscht: Das Original ist entfernt und kann nicht wiederhergestellt werden.", langFR: "%s purgé : son original est supprimé et il ne peut plus être restauré.",
		langES: "%s purgado: su original se ha borrado y no se puede restaurar.", langRU: "%s удалён: оригинал стёрт, вернуть его нельзя.",
	},
	"The change took too long and was not made. Please try again.": {
		langDE: "Die Änderung hat zu lange gedauert und wurde nicht vorgenommen. Bitte versuche es noch einmal.", langFR: "La modification a pris trop de temps et n’a pas été faite. Veuillez réessayer.",
		langES: "El cambio tardó demasiado y no se hizo. Inténtalo de nuevo.", langRU: "Изменение заняло слишком много времени и не было сделано. Попробуйте ещё раз.",
	},
	"Not changed: %s": {
		langDE: "Nicht geändert: %s", langFR: "Non modifié : %s",
		langES: "Sin cambios: %s", langRU: "Не изменено: %s",
	},
	"Give a file or a link, not both.": {
		langDE: "Gib eine Datei oder einen Link an, nicht beides.", langFR: "Donnez un fichier ou un lien, pas les deux.",
		langES: "Da un archivo o un enlace, no ambos.", langRU: "Укажите файл или ссылку, но не то и другое.",
	},
	"The attachment did not arrive. Please attach the file again.": {
		langDE: "Der Anhang ist nicht angekommen. Bitte hänge die Datei noch einmal an.", langFR: "La pièce jointe n’est pas arrivée. Veuillez joindre le fichier à nouveau.",
		langES: "El adjunto no llegó. Adjunta el archivo de nuevo.", langRU: "Вложение не дошло. Прикрепите файл ещё раз.",
	},
	"Not added: %s": {
		langDE: "Nicht hinzugefügt: %s", langFR: "Non ajouté : %s",
		langES: "No añadido: %s", langRU: "Не добавлено: %s",
	},
	"Attach a file or give a link.": {
		langDE: "Hänge eine Datei an oder gib einen Link an.", langFR: "Joignez un fichier ou donnez un lien.",
		langES: "Adjunta un archivo o da un enlace.", langRU: "Прикрепите файл или укажите ссылку.",
	},
	"Already in the library with the same content: nothing changed.": {
		langDE: "Mit demselben Inhalt schon in der Bibliothek: nichts geändert.", langFR: "Déjà dans la bibliothèque avec le même contenu : rien n’a changé.",
		langES: "Ya está en la biblioteca con el mismo contenido: nada cambió.", langRU: "Уже есть в библиотеке с тем же содержимым: ничего не изменилось.",
	},
	"Updated: the new content replaces the old under the same document.": {
		langDE: "Aktualisiert: Der neue Inhalt ersetzt den alten im selben Dokument.", langFR: "Mis à jour : le nouveau contenu remplace l’ancien dans le même document.",
		langES: "Actualizado: el contenido nuevo sustituye al antiguo en el mismo documento.", langRU: "Обновлено: новое содержимое заменяет старое в том же документе.",
	},
	"Added: questions are answered from it now.": {
		langDE: "Hinzugefügt: Fragen werden ab jetzt auch daraus beantwortet.", langFR: "Ajouté : les questions y trouvent désormais leurs réponses.",
		langES: "Añadido: las preguntas ya se responden también a partir de él.", langRU: "Добавлено: теперь вопросы получают ответы и по нему.",
	},
	"Pages": {
		langDE: "Seiten", langFR: "Pages",
		langES: "Páginas", langRU: "Страницы",
	},
	"Warnings": {
		langDE: "Hinweise", langFR: "Avertissements",
		langES: "Avisos", langRU: "Предупреждения",
	},
	"Library": {
		langDE: "Bibliothek", langFR: "Bibliothèque",
		langES: "Biblioteca", langRU: "Библиотека",
	},
	"added by %s": {
		langDE: "hinzugefügt von %s", langFR: "ajouté par %s",
		langES: "añadido por %s", langRU: "добавил(а) %s",
	},
	"removed": {
		langDE: "entfernt", langFR: "retiré",
		langES: "quitado", langRU: "убран",
	},
	"Could not be read": {
		langDE: "Nicht lesbar", langFR: "Illisibles",
		langES: "No se pudieron leer", langRU: "Не удалось прочитать",
	},
	"upload": {
		langDE: "Upload", langFR: "envoi",
		langES: "subida", langRU: "загрузка",
	},
	"link": {
		langDE: "Link", langFR: "lien",
		langES: "enlace", langRU: "ссылка",
	},
	"Last changes to the library": {
		langDE: "Letzte Änderungen an der Bibliothek", langFR: "Dernières modifications de la bibliothèque",
		langES: "Últimos cambios en la biblioteca", langRU: "Последние изменения библиотеки",
	},
	"Nothing has changed yet.": {
		langDE: "Bisher hat sich nichts geändert.", langFR: "Rien n’a encore changé.",
		langES: "Todavía no ha cambiado nada.", langRU: "Пока ничего не менялось.",
	},
	"file":         {langDE: "Datei", langFR: "fichier", langES: "archivo", langRU: "файл"},
	"Shared by %s": {langDE: "Geteilt von %s", langFR: "Partagé par %s", langES: "Compartido por %s", langRU: "Поделился: %s"},
	"This answer was already shared.": {
		langDE: "Diese Antwort wurde schon geteilt.", langFR: "Cette réponse a déjà été partagée.",
		langES: "Esta respuesta ya se compartió.", langRU: "Этим ответом уже поделились.",
	},
	"Only the person who asked can share this answer.": {
		langDE: "Nur die Person, die gefragt hat, kann diese Antwort teilen.",
		langFR: "Seule la personne qui a posé la question peut partager cette réponse.",
		langES: "Solo quien hizo la pregunta puede compartir esta respuesta.",
		langRU: "Поделиться этим ответом может только тот, кто задал вопрос.",
	},
	"Not in the indexed documents. Try /search, or rephrase.": {
		langDE: "Nicht in den indexierten Dokumenten. Versuch /suchen oder formuliere um.",
		langFR: "Absent des documents indexés. Essayez /rechercher ou reformulez.",
		langES: "No está en los documentos indexados. Prueba /buscar o reformula la pregunta.",
		langRU: "В проиндексированных документах этого нет. Попробуйте /поиск или переформулируйте.",
	},
	"Show related passages": {langDE: "Verwandte Textstellen zeigen", langFR: "Afficher les passages liés", langES: "Mostrar pasajes relacionados", langRU: "Показать связанные фрагменты"},
	"What was wrong?":       {langDE: "Was war falsch?", langFR: "Qu'est-ce qui n'allait pas\u00a0?", langES: "¿Qué estuvo mal?", langRU: "Что было не так?"},
	"Wrong source":          {langDE: "Falsche Quelle", langFR: "Mauvaise source", langES: "Fuente incorrecta", langRU: "Неверный источник"},
	"Incomplete":            {langDE: "Unvollständig", langFR: "Incomplet", langES: "Incompleta", langRU: "Неполный"},
	"Not in the documents":  {langDE: "Nicht in den Dokumenten", langFR: "Absent des documents", langES: "No está en los documentos", langRU: "Нет в документах"},
	"Other":                 {langDE: "Sonstiges", langFR: "Autre", langES: "Otro", langRU: "Другое"},
	"Tell us more (optional)": {
		langDE: "Erzähl uns mehr (optional)", langFR: "Dites-nous-en plus (facultatif)",
		langES: "Cuéntanos más (opcional)", langRU: "Расскажите подробнее (необязательно)",
	},
	// For n ≥ 2 only; "Quoted from 1 passage" is the singular. Russian
	// needs three forms, so it avoids agreeing with the number:
	// l.N(n, "Quoted from %d passage", "Quoted from %d passages") gives
	// each language its own forms.
	"Quoted from %d passages": {langDE: "Zitiert aus %d Textstellen", langFR: "Cité à partir de %d passages", langES: "Citado de %d pasajes", langRU: "Цитируемых фрагментов: %d"},
}

// plurals translates the messages about a count (lang.N), keyed by the
// English plural. Each language has pluralCount forms, in pluralForm's
// order. Russian, for example, has one (1, 21), few (2–4) and many (5–20).
var plurals = map[string]pluralForms{
	"%d passages": {
		langDE: {"%d Textstelle", "%d Textstellen"},
		langFR: {"%d passage", "%d passages"},
		langES: {"%d pasaje", "%d pasajes"},
		langRU: {"%d фрагмент", "%d фрагмента", "%d фрагментов"},
	},
	"%d documents": {
		langDE: {"%d Dokument", "%d Dokumente"},
		langFR: {"%d document", "%d documents"},
		langES: {"%d documento", "%d documentos"},
		langRU: {"%d документ", "%d документа", "%d документов"},
	},
	"… and %d more documents": {
		langDE: {"… und %d weiteres Dokument", "… und %d weitere Dokumente"},
		langFR: {"… et %d autre document", "… et %d autres documents"},
		langES: {"… y %d documento más", "… y %d documentos más"},
		langRU: {"… и ещё %d документ", "… и ещё %d документа", "… и ещё %d документов"},
	},
	"%d documents failed and were skipped:": {
		langDE: {"%d Dokument ist fehlgeschlagen und wurde übersprungen:", "%d Dokumente sind fehlgeschlagen und wurden übersprungen:"},
		langFR: {"%d document a échoué et a été ignoré\u00a0:", "%d documents ont échoué et ont été ignorés\u00a0:"},
		langES: {"%d documento falló y se omitió:", "%d documentos fallaron y se omitieron:"},
		langRU: {"%d документ не прочитан и пропущен:", "%d документа не прочитаны и пропущены:", "%d документов не прочитаны и пропущены:"},
	},
	"Quoted from %d passages": {
		langDE: {"Zitiert aus %d Textstelle", "Zitiert aus %d Textstellen"},
		langFR: {"Cité à partir de %d passage", "Cité à partir de %d passages"},
		langES: {"Citado de %d pasaje", "Citado de %d pasajes"},
		langRU: {"Цитаты из %d фрагмента", "Цитаты из %d фрагментов", "Цитаты из %d фрагментов"},
	},
	"Written by the model from %d passages": {
		langDE: {"Vom Modell geschrieben aus %d Textstelle", "Vom Modell geschrieben aus %d Textstellen"},
		langFR: {"Rédigé par le modèle à partir de %d passage", "Rédigé par le modèle à partir de %d passages"},
		langES: {"Redactado por el modelo a partir de %d pasaje", "Redactado por el modelo a partir de %d pasajes"},
		langRU: {"Написано моделью по %d фрагменту", "Написано моделью по %d фрагментам", "Написано моделью по %d фрагментам"},
	},
}

// commandNames are the localized names of the slash commands and their
// options, keyed by the English name. They are shown in the command picker
// only: interactions still carry the English names. Discord wants them
// lowercase, 1–32 letters, digits, "-" or "_", and an option's localized
// name must differ from the command's other option names.
var commandNames = map[string]translations{
	"ask":      {langDE: "fragen", langFR: "demander", langES: "preguntar", langRU: "спросить"},
	"question": {langDE: "frage", langFR: "question", langES: "pregunta", langRU: "вопрос"},
	"private":  {langDE: "privat", langFR: "privé", langES: "privado", langRU: "приватно"},
	"search":   {langDE: "suchen", langFR: "rechercher", langES: "buscar", langRU: "поиск"},
	"query":    {langDE: "suchbegriff", langFR: "requête", langES: "consulta", langRU: "запрос"},
	"results":  {langDE: "ergebnisse", langFR: "résultats", langES: "resultados", langRU: "результаты"},
	"sources":  {langDE: "quellen", langFR: "sources", langES: "fuentes", langRU: "источники"},
	"brief":    {langDE: "steckbrief", langFR: "fiche", langES: "ficha", langRU: "карточка"},
	"document": {langDE: "dokument", langFR: "document", langES: "documento", langRU: "документ"},
	"reindex":  {langDE: "reindizieren", langFR: "réindexer", langES: "reindexar", langRU: "переиндексировать"},
	"docs":     {langDE: "dokumente", langFR: "documents", langES: "documentos", langRU: "документы"},
	"add":      {langDE: "hinzufügen", langFR: "ajouter", langES: "añadir", langRU: "добавить"},
	"file":     {langDE: "datei", langFR: "fichier", langES: "archivo", langRU: "файл"},
	"url":      {langDE: "link", langFR: "lien", langES: "enlace", langRU: "ссылка"},
	"title":    {langDE: "titel", langFR: "titre", langES: "título", langRU: "заголовок"},
	"remove":   {langDE: "entfernen", langFR: "retirer", langES: "quitar", langRU: "убрать"},
	"restore":  {langDE: "wiederherstellen", langFR: "restaurer", langES: "restaurar", langRU: "вернуть"},
	"purge":    {langDE: "löschen", langFR: "purger", langES: "purgar", langRU: "удалить"},
	"list":     {langDE: "liste", langFR: "liste", langES: "lista", langRU: "список"},
	"audit":    {langDE: "protokoll", langFR: "journal", langES: "registro", langRU: "журнал"},
	"count":    {langDE: "anzahl", langFR: "nombre", langES: "cantidad", langRU: "количество"},
}
