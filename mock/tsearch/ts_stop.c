/* The stop-word lists of Postgres's Snowball text-search configurations
 * (tsearch_data/<language>.stop of PostgreSQL 15: the Snowball project's
 * lists, BSD licence, Copyright (c) 2001 Dr Martin Porter and Richard
 * Boulton), embedded so that nothing is read at run time. Each list is sorted
 * bytewise (strcmp) for bsearch; the words are lowercase UTF-8 as Postgres's
 * readstoplist keeps them. Generated from those files; do not edit by hand.
 *
 * Offsets into one string rather than arrays of pointers: a pointer in a
 * constant table of a position-independent executable is relocated at
 * start, which writes (and so keeps resident) every page of the table; these
 * offsets and words stay on read-only pages that are read only when used. */
#include "ts_stop.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Every list's words, each ending in NUL, list after list (no word starts
 * with a digit, so a word's "\0" never runs into the next as an octal escape). */
static const char words[] =
    /* danish */
    "ad\0af\0alle\0alt\0anden\0at\0blev\0blive\0bliver\0da\0de\0dem\0den\0denne\0der\0deres\0"
    "det\0dette\0dig\0din\0disse\0dog\0du\0efter\0eller\0en\0end\0er\0et\0for\0fra\0ham\0han\0"
    "hans\0har\0havde\0have\0hende\0hendes\0her\0hos\0hun\0hvad\0hvis\0hvor\0i\0ikke\0ind\0"
    "jeg\0jer\0jo\0kunne\0man\0mange\0med\0meget\0men\0mig\0min\0mine\0mit\0mod\0ned\0noget\0"
    "nogle\0nu\0når\0og\0også\0om\0op\0os\0over\0på\0selv\0sig\0sin\0sine\0sit\0skal\0skulle\0"
    "som\0sådan\0thi\0til\0ud\0under\0var\0vi\0vil\0ville\0vor\0være\0været\0"
    /* dutch */
    "aan\0al\0alles\0als\0altijd\0andere\0ben\0bij\0daar\0dan\0dat\0de\0der\0deze\0die\0dit\0"
    "doch\0doen\0door\0dus\0een\0eens\0en\0er\0ge\0geen\0geweest\0haar\0had\0heb\0hebben\0"
    "heeft\0hem\0het\0hier\0hij\0hoe\0hun\0iemand\0iets\0ik\0in\0is\0ja\0je\0kan\0kon\0kunnen\0"
    "maar\0me\0meer\0men\0met\0mij\0mijn\0moet\0na\0naar\0niet\0niets\0nog\0nu\0of\0om\0omdat\0"
    "onder\0ons\0ook\0op\0over\0reeds\0te\0tegen\0toch\0toen\0tot\0u\0uit\0uw\0van\0veel\0"
    "voor\0want\0waren\0was\0wat\0werd\0wezen\0wie\0wil\0worden\0wordt\0zal\0ze\0zelf\0zich\0"
    "zij\0zijn\0zo\0zonder\0zou\0"
    /* english */
    "a\0about\0above\0after\0again\0against\0all\0am\0an\0and\0any\0are\0as\0at\0be\0because\0"
    "been\0before\0being\0below\0between\0both\0but\0by\0can\0did\0do\0does\0doing\0don\0down\0"
    "during\0each\0few\0for\0from\0further\0had\0has\0have\0having\0he\0her\0here\0hers\0"
    "herself\0him\0himself\0his\0how\0i\0if\0in\0into\0is\0it\0its\0itself\0just\0me\0more\0"
    "most\0my\0myself\0no\0nor\0not\0now\0of\0off\0on\0once\0only\0or\0other\0our\0ours\0"
    "ourselves\0out\0over\0own\0s\0same\0she\0should\0so\0some\0such\0t\0than\0that\0the\0"
    "their\0theirs\0them\0themselves\0then\0there\0these\0they\0this\0those\0through\0to\0too\0"
    "under\0until\0up\0very\0was\0we\0were\0what\0when\0where\0which\0while\0who\0whom\0why\0"
    "will\0with\0you\0your\0yours\0yourself\0yourselves\0"
    /* finnish */
    "ei\0eivät\0emme\0en\0et\0ette\0että\0he\0heidän\0heidät\0heihin\0heille\0heillä\0heiltä\0"
    "heissä\0heistä\0heitä\0hän\0häneen\0hänelle\0hänellä\0häneltä\0hänen\0hänessä\0hänestä\0"
    "hänet\0häntä\0itse\0ja\0johon\0joiden\0joihin\0joiksi\0joilla\0joille\0joilta\0joina\0"
    "joissa\0joista\0joita\0joka\0joksi\0jolla\0jolle\0jolta\0jona\0jonka\0jos\0jossa\0josta\0"
    "jota\0jotka\0kanssa\0keiden\0keihin\0keiksi\0keille\0keillä\0keiltä\0keinä\0keissä\0"
    "keistä\0keitä\0keneen\0keneksi\0kenelle\0kenellä\0keneltä\0kenen\0kenenä\0kenessä\0"
    "kenestä\0kenet\0ketkä\0ketä\0koska\0kuin\0kuka\0kun\0me\0meidän\0meidät\0meihin\0meille\0"
    "meillä\0meiltä\0meissä\0meistä\0meitä\0mihin\0miksi\0mikä\0mille\0millä\0miltä\0minkä\0"
    "minua\0minulla\0minulle\0minulta\0minun\0minussa\0minusta\0minut\0minuun\0minä\0missä\0"
    "mistä\0mitkä\0mitä\0mukaan\0mutta\0ne\0niiden\0niihin\0niiksi\0niille\0niillä\0niiltä\0"
    "niin\0niinä\0niissä\0niistä\0niitä\0noiden\0noihin\0noiksi\0noilla\0noille\0noilta\0noin\0"
    "noina\0noissa\0noista\0noita\0nuo\0nyt\0näiden\0näihin\0näiksi\0näille\0näillä\0näiltä\0"
    "näinä\0näissä\0näistä\0näitä\0nämä\0ole\0olemme\0olen\0olet\0olette\0oli\0olimme\0olin\0"
    "olisi\0olisimme\0olisin\0olisit\0olisitte\0olisivat\0olit\0olitte\0olivat\0olla\0olleet\0"
    "ollut\0on\0ovat\0poikki\0se\0sekä\0sen\0siihen\0siinä\0siitä\0siksi\0sille\0sillä\0siltä\0"
    "sinua\0sinulla\0sinulle\0sinulta\0sinun\0sinussa\0sinusta\0sinut\0sinuun\0sinä\0sitä\0"
    "tai\0tallä\0te\0teidän\0teidät\0teihin\0teille\0teillä\0teiltä\0teissä\0teistä\0teitä\0"
    "tuo\0tuohon\0tuoksi\0tuolla\0tuolle\0tuolta\0tuon\0tuona\0tuossa\0tuosta\0tuotä\0tähän\0"
    "täksi\0tälle\0tältä\0tämä\0tämän\0tänä\0tässä\0tästä\0tätä\0vaan\0vai\0vaikka\0yli\0"
    /* french */
    "ai\0aie\0aient\0aies\0ait\0as\0au\0aura\0aurai\0auraient\0aurais\0aurait\0auras\0aurez\0"
    "auriez\0aurions\0aurons\0auront\0aux\0avaient\0avais\0avait\0avec\0avez\0aviez\0avions\0"
    "avons\0ayant\0ayante\0ayantes\0ayants\0ayez\0ayons\0c\0ce\0ces\0d\0dans\0de\0des\0du\0"
    "elle\0en\0es\0est\0et\0eu\0eue\0eues\0eurent\0eus\0eusse\0eussent\0eusses\0eussiez\0"
    "eussions\0eut\0eux\0eûmes\0eût\0eûtes\0furent\0fus\0fusse\0fussent\0fusses\0fussiez\0"
    "fussions\0fut\0fûmes\0fût\0fûtes\0il\0j\0je\0l\0la\0le\0leur\0lui\0m\0ma\0mais\0me\0mes\0"
    "moi\0mon\0même\0n\0ne\0nos\0notre\0nous\0on\0ont\0ou\0par\0pas\0pour\0qu\0que\0qui\0s\0"
    "sa\0se\0sera\0serai\0seraient\0serais\0serait\0seras\0serez\0seriez\0serions\0serons\0"
    "seront\0ses\0soient\0sois\0soit\0sommes\0son\0sont\0soyez\0soyons\0suis\0sur\0t\0ta\0te\0"
    "tes\0toi\0ton\0tu\0un\0une\0vos\0votre\0vous\0y\0à\0étaient\0étais\0était\0étant\0étante\0"
    "étantes\0étants\0étiez\0étions\0été\0étée\0étées\0étés\0êtes\0"
    /* german */
    "aber\0alle\0allem\0allen\0aller\0alles\0als\0also\0am\0an\0ander\0andere\0anderem\0"
    "anderen\0anderer\0anderes\0anderm\0andern\0anderr\0anders\0auch\0auf\0aus\0bei\0bin\0bis\0"
    "bist\0da\0damit\0dann\0das\0dasselbe\0dazu\0daß\0dein\0deine\0deinem\0deinen\0deiner\0"
    "deines\0dem\0demselben\0den\0denn\0denselben\0der\0derer\0derselbe\0derselben\0des\0"
    "desselben\0dessen\0dich\0die\0dies\0diese\0dieselbe\0dieselben\0diesem\0diesen\0dieser\0"
    "dieses\0dir\0doch\0dort\0du\0durch\0ein\0eine\0einem\0einen\0einer\0eines\0einig\0einige\0"
    "einigem\0einigen\0einiger\0einiges\0einmal\0er\0es\0etwas\0euch\0euer\0eure\0eurem\0"
    "euren\0eurer\0eures\0für\0gegen\0gewesen\0hab\0habe\0haben\0hat\0hatte\0hatten\0hier\0"
    "hin\0hinter\0ich\0ihm\0ihn\0ihnen\0ihr\0ihre\0ihrem\0ihren\0ihrer\0ihres\0im\0in\0indem\0"
    "ins\0ist\0jede\0jedem\0jeden\0jeder\0jedes\0jene\0jenem\0jenen\0jener\0jenes\0jetzt\0"
    "kann\0kein\0keine\0keinem\0keinen\0keiner\0keines\0können\0könnte\0machen\0man\0manche\0"
    "manchem\0manchen\0mancher\0manches\0mein\0meine\0meinem\0meinen\0meiner\0meines\0mich\0"
    "mir\0mit\0muss\0musste\0nach\0nicht\0nichts\0noch\0nun\0nur\0ob\0oder\0ohne\0sehr\0sein\0"
    "seine\0seinem\0seinen\0seiner\0seines\0selbst\0sich\0sie\0sind\0so\0solche\0solchem\0"
    "solchen\0solcher\0solches\0soll\0sollte\0sondern\0sonst\0um\0und\0uns\0unse\0unsem\0"
    "unsen\0unser\0unses\0unter\0viel\0vom\0von\0vor\0war\0waren\0warst\0was\0weg\0weil\0"
    "weiter\0welche\0welchem\0welchen\0welcher\0welches\0wenn\0werde\0werden\0wie\0wieder\0"
    "will\0wir\0wird\0wirst\0wo\0wollen\0wollte\0während\0würde\0würden\0zu\0zum\0zur\0zwar\0"
    "zwischen\0über\0"
    /* hungarian */
    "a\0abban\0ahhoz\0ahogy\0ahol\0aki\0akik\0akkor\0alatt\0amely\0amelyek\0amelyekben\0"
    "amelyeket\0amelyet\0amelynek\0ami\0amikor\0amit\0amolyan\0amíg\0annak\0arra\0arról\0az\0"
    "azok\0azon\0azonban\0azt\0aztán\0azután\0azzal\0azért\0be\0belül\0benne\0bár\0cikk\0"
    "cikkek\0cikkeket\0csak\0de\0e\0ebben\0eddig\0egy\0egyes\0egyetlen\0egyik\0egyre\0egyéb\0"
    "egész\0ehhez\0ekkor\0el\0ellen\0első\0elég\0elő\0először\0előtt\0emilyen\0ennek\0erre\0"
    "ez\0ezek\0ezen\0ezt\0ezzel\0ezért\0fel\0felé\0hanem\0hiszen\0hogy\0hogyan\0igen\0ill\0"
    "ill.\0illetve\0ilyen\0ilyenkor\0ismét\0ison\0itt\0jobban\0jó\0jól\0kell\0kellett\0"
    "keressünk\0keresztül\0ki\0kívül\0között\0közül\0legalább\0legyen\0lehet\0lehetett\0lenne\0"
    "lenni\0lesz\0lett\0maga\0magát\0majd\0meg\0mellett\0mely\0melyek\0mert\0mi\0mikor\0"
    "milyen\0minden\0mindenki\0mindent\0mindig\0mint\0mintha\0mit\0mivel\0miért\0most\0már\0"
    "más\0másik\0még\0míg\0nagy\0nagyobb\0nagyon\0ne\0nekem\0neki\0nem\0nincs\0néha\0néhány\0"
    "nélkül\0olyan\0ott\0pedig\0persze\0rá\0s\0saját\0sem\0semmi\0sok\0sokat\0sokkal\0szemben\0"
    "szerint\0szinte\0számára\0talán\0tehát\0teljes\0tovább\0továbbá\0több\0ugyanis\0utolsó\0"
    "után\0utána\0vagy\0vagyis\0vagyok\0valaki\0valami\0valamint\0való\0van\0vannak\0vele\0"
    "vissza\0viszont\0volna\0volt\0voltak\0voltam\0voltunk\0által\0általában\0át\0én\0éppen\0"
    "és\0így\0össze\0úgy\0új\0újabb\0újra\0ő\0ők\0őket\0"
    /* italian */
    "a\0abbia\0abbiamo\0abbiano\0abbiate\0ad\0agl\0agli\0ai\0al\0all\0alla\0alle\0allo\0anche\0"
    "avemmo\0avendo\0avesse\0avessero\0avessi\0avessimo\0aveste\0avesti\0avete\0aveva\0"
    "avevamo\0avevano\0avevate\0avevi\0avevo\0avrai\0avranno\0avrebbe\0avrebbero\0avrei\0"
    "avremmo\0avremo\0avreste\0avresti\0avrete\0avrà\0avrò\0avuta\0avute\0avuti\0avuto\0c\0"
    "che\0chi\0ci\0coi\0col\0come\0con\0contro\0cui\0da\0dagl\0dagli\0dai\0dal\0dall\0dalla\0"
    "dalle\0dallo\0degl\0degli\0dei\0del\0dell\0della\0delle\0dello\0di\0dov\0dove\0e\0ebbe\0"
    "ebbero\0ebbi\0ed\0era\0erano\0eravamo\0eravate\0eri\0ero\0essendo\0faccia\0facciamo\0"
    "facciano\0facciate\0faccio\0facemmo\0facendo\0facesse\0facessero\0facessi\0facessimo\0"
    "faceste\0facesti\0faceva\0facevamo\0facevano\0facevate\0facevi\0facevo\0fai\0fanno\0"
    "farai\0faranno\0farebbe\0farebbero\0farei\0faremmo\0faremo\0fareste\0faresti\0farete\0"
    "farà\0farò\0fece\0fecero\0feci\0fosse\0fossero\0fossi\0fossimo\0foste\0fosti\0fu\0fui\0"
    "fummo\0furono\0gli\0ha\0hai\0hanno\0ho\0i\0il\0in\0io\0l\0la\0le\0lei\0li\0lo\0loro\0lui\0"
    "ma\0mi\0mia\0mie\0miei\0mio\0ne\0negl\0negli\0nei\0nel\0nell\0nella\0nelle\0nello\0noi\0"
    "non\0nostra\0nostre\0nostri\0nostro\0o\0per\0perché\0più\0quale\0quanta\0quante\0quanti\0"
    "quanto\0quella\0quelle\0quelli\0quello\0questa\0queste\0questi\0questo\0sarai\0saranno\0"
    "sarebbe\0sarebbero\0sarei\0saremmo\0saremo\0sareste\0saresti\0sarete\0sarà\0sarò\0se\0"
    "sei\0si\0sia\0siamo\0siano\0siate\0siete\0sono\0sta\0stai\0stando\0stanno\0starai\0"
    "staranno\0starebbe\0starebbero\0starei\0staremmo\0staremo\0stareste\0staresti\0starete\0"
    "starà\0starò\0stava\0stavamo\0stavano\0stavate\0stavi\0stavo\0stemmo\0stesse\0stessero\0"
    "stessi\0stessimo\0steste\0stesti\0stette\0stettero\0stetti\0stia\0stiamo\0stiano\0stiate\0"
    "sto\0su\0sua\0sue\0sugl\0sugli\0sui\0sul\0sull\0sulla\0sulle\0sullo\0suo\0suoi\0ti\0tra\0"
    "tu\0tua\0tue\0tuo\0tuoi\0tutti\0tutto\0un\0una\0uno\0vi\0voi\0vostra\0vostre\0vostri\0"
    "vostro\0è\0"
    /* nepali */
    "अक्सर\0अगाडि\0अगाडी\0अझै\0अनुसार\0अन्तर्गत\0अन्य\0अन्यथा\0अब\0अरु\0अरू\0अर्का\0अर्की\0"
    "अर्को\0अर्थात\0अर्थात्\0अर्ब\0अलग\0अलिकति\0असार\0आइतवार\0आए\0आज\0आठ\0आत्म\0आदि\0आफू\0"
    "आफ्नै\0आफ्नो\0आयो\0आश्विन\0उदाहरण\0उन\0उप\0उही\0एउटै\0एक\0एकदम\0एकै\0ओठ\0औं\0कति\0कतै\0"
    "कत्रा\0कत्री\0कत्रो\0करोड\0कस\0कसरी\0कसै\0कस्ता\0कस्ती\0कस्तो\0कहिल्यै\0कहीं\0का\0"
    "कार्तिक\0कि\0किन\0किनभने\0कुन\0कुनै\0कुरा\0कृपया\0के\0केहि\0केही\0को\0कोही\0क्रमशः\0खर्ब\0"
    "गयौ\0चाँडै\0चार\0चाले\0चाहनुहुन्छ\0चाहन्छु\0चाहिए\0चैत\0चौथो\0छ\0छन्\0छु\0छू\0छैन\0छौँ\0"
    "छौं\0जताततै\0जति\0जत्रा\0जत्री\0जत्रो\0जब\0जबकि\0जस\0जस्ता\0जस्ती\0जस्तो\0जस्तोसुकै\0"
    "जहाँ\0जान\0जाहिर\0जुन\0जे\0जेठ\0जो\0जोसुकै\0ठीक\0त\0तत्काल\0तथा\0तदनुसार\0तपाई\0तपाईं\0"
    "तर\0तल\0तापनि\0तापनी\0तिन\0तिनी\0तिमी\0तिर\0ती\0तीन\0तुरुन्तै\0तेस्कारण\0तेस्रो\0"
    "त्यसकारण\0त्यसपछि\0त्यसमा\0त्यसैले\0त्यहाँ\0त्यो\0त्सपछि\0त्सैले\0थिए\0थिएन\0थिएनन्\0"
    "थियो\0थोरै\0दस\0दिए\0दिनुभएको\0दिनुहुन्छ\0दुई\0देख\0देखि\0देखिन्छ\0देखियो\0देखे\0देखेको\0"
    "देखेर\0देख्न\0दोश्रो\0दोस्रो\0धेरै\0न\0नजिकै\0नत्र\0नयाँ\0नि\0निम्ति\0निम्न\0निम्नानुसार\0"
    "निर्दिष्ट\0नै\0नौ\0पक्का\0पक्कै\0पछि\0पछिल्लो\0पटक\0पनि\0पर्छ\0पर्थ्यो\0पर्याप्त\0पर्सी\0"
    "पहिले\0पहिलो\0पहिल्यै\0पाँच\0पाँचौं\0पूर्व\0पौष\0प्रति\0प्रतेक\0प्रत्येक\0प्रथम\0प्लस\0"
    "फागुन\0फेरि\0फेरी\0बने\0बन्द\0बन्न\0बरु\0बाटो\0बारे\0बाहिर\0बाहेक\0बिरुद्ध\0बिशेष\0"
    "बिहिवार\0बीच\0बुधवार\0भए\0भदौ\0भन्\0भर\0भित्र\0भित्री\0भोलि\0भोली\0म\0मंसिर\0मङ्गलवार\0"
    "महिना\0मा\0माघ\0मात्र\0माथि\0मुख्य\0मेरो\0यति\0यत्ति\0यत्रा\0यत्री\0यत्रो\0यथोचित\0यदि\0"
    "यद्यपि\0यस\0यसरी\0यसो\0यस्ता\0यस्ती\0यस्तो\0यहाँ\0या\0यिन\0यिनी\0यी\0यो\0र\0रही\0रहेका\0"
    "रहेको\0राखे\0राख्छ\0राम्रो\0रूप\0लगभग\0लाई\0लाख\0लागि\0ले\0वरिपरि\0वरीपरी\0वर्ष\0"
    "वास्तवमा\0वाहेक\0विरुद्ध\0विशेष\0वैशाख\0शनिवार\0शायद\0शुक्रवार\0सँग\0सँगै\0संग\0संगै\0"
    "सक्छ\0सट्टा\0सधै\0सधैं\0सबै\0समय\0सम्भव\0सम्म\0सय\0सही\0साँच्चै\0साउन\0सात\0साथ\0साथै\0"
    "सायद\0सारा\0सुन्ना\0सो\0सोध्न\0सोमवार\0सोही\0स्पष्ट\0हजार\0हप्ता\0हरे\0हरेक\0हामी\0"
    "हाम्रो\0हिजो\0हुन्छ\0होला\0होस्\0"
    /* norwegian */
    "alle\0at\0av\0bare\0begge\0ble\0blei\0bli\0blir\0blitt\0både\0båe\0da\0de\0deg\0dei\0"
    "deim\0deira\0deires\0dem\0den\0denne\0der\0dere\0deres\0det\0dette\0di\0din\0disse\0ditt\0"
    "du\0dykk\0dykkar\0då\0eg\0ein\0eit\0eitt\0eller\0elles\0en\0enn\0er\0et\0ett\0etter\0for\0"
    "fordi\0fra\0før\0ha\0hadde\0han\0hans\0har\0hennar\0henne\0hennes\0her\0hjå\0ho\0hoe\0"
    "honom\0hoss\0hossen\0hun\0hva\0hvem\0hver\0hvilke\0hvilken\0hvis\0hvor\0hvordan\0hvorfor\0"
    "i\0ikke\0ikkje\0ingen\0ingi\0inkje\0inn\0inni\0ja\0jeg\0kan\0kom\0korleis\0korso\0kun\0"
    "kunne\0kva\0kvar\0kvarhelst\0kven\0kvi\0kvifor\0man\0mange\0me\0med\0medan\0meg\0meget\0"
    "mellom\0men\0mi\0min\0mine\0mitt\0mot\0mykje\0ned\0no\0noe\0noen\0noka\0noko\0nokon\0"
    "nokor\0nokre\0nå\0når\0og\0også\0om\0opp\0oss\0over\0på\0samme\0seg\0selv\0si\0sia\0"
    "sidan\0siden\0sin\0sine\0sitt\0sjøl\0skal\0skulle\0slik\0so\0som\0somme\0somt\0så\0sånn\0"
    "til\0um\0upp\0ut\0uten\0var\0vart\0varte\0ved\0vere\0verte\0vi\0vil\0ville\0vore\0vors\0"
    "vort\0vår\0være\0vært\0å\0"
    /* portuguese */
    "a\0ao\0aos\0aquela\0aquelas\0aquele\0aqueles\0aquilo\0as\0até\0com\0como\0da\0das\0de\0"
    "dela\0delas\0dele\0deles\0depois\0do\0dos\0e\0ela\0elas\0ele\0eles\0em\0entre\0era\0eram\0"
    "essa\0essas\0esse\0esses\0esta\0estamos\0estas\0estava\0estavam\0este\0esteja\0estejam\0"
    "estejamos\0estes\0esteve\0estive\0estivemos\0estiver\0estivera\0estiveram\0estiverem\0"
    "estivermos\0estivesse\0estivessem\0estivéramos\0estivéssemos\0estou\0está\0estávamos\0"
    "estão\0eu\0foi\0fomos\0for\0fora\0foram\0forem\0formos\0fosse\0fossem\0fui\0fôramos\0"
    "fôssemos\0haja\0hajam\0hajamos\0havemos\0hei\0houve\0houvemos\0houver\0houvera\0houveram\0"
    "houverei\0houverem\0houveremos\0houveria\0houveriam\0houvermos\0houverá\0houverão\0"
    "houveríamos\0houvesse\0houvessem\0houvéramos\0houvéssemos\0há\0hão\0isso\0isto\0já\0lhe\0"
    "lhes\0mais\0mas\0me\0mesmo\0meu\0meus\0minha\0minhas\0muito\0na\0nas\0nem\0no\0nos\0"
    "nossa\0nossas\0nosso\0nossos\0num\0numa\0não\0nós\0o\0os\0ou\0para\0pela\0pelas\0pelo\0"
    "pelos\0por\0qual\0quando\0que\0quem\0se\0seja\0sejam\0sejamos\0sem\0serei\0seremos\0"
    "seria\0seriam\0será\0serão\0seríamos\0seu\0seus\0somos\0sou\0sua\0suas\0são\0só\0também\0"
    "te\0tem\0temos\0tenha\0tenham\0tenhamos\0tenho\0terei\0teremos\0teria\0teriam\0terá\0"
    "terão\0teríamos\0teu\0teus\0teve\0tinha\0tinham\0tive\0tivemos\0tiver\0tivera\0tiveram\0"
    "tiverem\0tivermos\0tivesse\0tivessem\0tivéramos\0tivéssemos\0tu\0tua\0tuas\0tém\0"
    "tínhamos\0um\0uma\0você\0vocês\0vos\0à\0às\0éramos\0"
    /* russian */
    "а\0без\0более\0больше\0будет\0будто\0бы\0был\0была\0были\0было\0быть\0в\0вам\0вас\0вдруг\0"
    "ведь\0во\0вот\0впрочем\0все\0всегда\0всего\0всех\0всю\0вы\0где\0да\0даже\0два\0для\0до\0"
    "другой\0его\0ее\0ей\0ему\0если\0есть\0еще\0ж\0же\0за\0зачем\0здесь\0и\0из\0или\0им\0"
    "иногда\0их\0к\0как\0какая\0какой\0когда\0конечно\0кто\0куда\0ли\0лучше\0между\0меня\0мне\0"
    "много\0может\0можно\0мой\0моя\0мы\0на\0над\0надо\0наконец\0нас\0не\0него\0нее\0ней\0"
    "нельзя\0нет\0ни\0нибудь\0никогда\0ним\0них\0ничего\0но\0ну\0о\0об\0один\0он\0она\0они\0"
    "опять\0от\0перед\0по\0под\0после\0потом\0потому\0почти\0при\0про\0раз\0разве\0с\0сам\0"
    "свою\0себе\0себя\0сейчас\0со\0совсем\0так\0такой\0там\0тебя\0тем\0теперь\0то\0тогда\0"
    "того\0тоже\0только\0том\0тот\0три\0тут\0ты\0у\0уж\0уже\0хорошо\0хоть\0чего\0чем\0через\0"
    "что\0чтоб\0чтобы\0чуть\0эти\0этого\0этой\0этом\0этот\0эту\0я\0"
    /* spanish */
    "a\0al\0algo\0algunas\0algunos\0ante\0antes\0como\0con\0contra\0cual\0cuando\0de\0del\0"
    "desde\0donde\0durante\0e\0el\0ella\0ellas\0ellos\0en\0entre\0era\0erais\0eran\0eras\0"
    "eres\0es\0esa\0esas\0ese\0eso\0esos\0esta\0estaba\0estabais\0estaban\0estabas\0estad\0"
    "estada\0estadas\0estado\0estados\0estamos\0estando\0estar\0estaremos\0estará\0estarán\0"
    "estarás\0estaré\0estaréis\0estaría\0estaríais\0estaríamos\0estarían\0estarías\0estas\0"
    "este\0estemos\0esto\0estos\0estoy\0estuve\0estuviera\0estuvierais\0estuvieran\0"
    "estuvieras\0estuvieron\0estuviese\0estuvieseis\0estuviesen\0estuvieses\0estuvimos\0"
    "estuviste\0estuvisteis\0estuviéramos\0estuviésemos\0estuvo\0está\0estábamos\0estáis\0"
    "están\0estás\0esté\0estéis\0estén\0estés\0fue\0fuera\0fuerais\0fueran\0fueras\0fueron\0"
    "fuese\0fueseis\0fuesen\0fueses\0fui\0fuimos\0fuiste\0fuisteis\0fuéramos\0fuésemos\0ha\0"
    "habida\0habidas\0habido\0habidos\0habiendo\0habremos\0habrá\0habrán\0habrás\0habré\0"
    "habréis\0habría\0habríais\0habríamos\0habrían\0habrías\0habéis\0había\0habíais\0habíamos\0"
    "habían\0habías\0han\0has\0hasta\0hay\0haya\0hayamos\0hayan\0hayas\0hayáis\0he\0hemos\0"
    "hube\0hubiera\0hubierais\0hubieran\0hubieras\0hubieron\0hubiese\0hubieseis\0hubiesen\0"
    "hubieses\0hubimos\0hubiste\0hubisteis\0hubiéramos\0hubiésemos\0hubo\0la\0las\0le\0les\0"
    "lo\0los\0me\0mi\0mis\0mucho\0muchos\0muy\0más\0mí\0mía\0mías\0mío\0míos\0nada\0ni\0no\0"
    "nos\0nosotras\0nosotros\0nuestra\0nuestras\0nuestro\0nuestros\0o\0os\0otra\0otras\0otro\0"
    "otros\0para\0pero\0poco\0por\0porque\0que\0quien\0quienes\0qué\0se\0sea\0seamos\0sean\0"
    "seas\0sentid\0sentida\0sentidas\0sentido\0sentidos\0seremos\0será\0serán\0serás\0seré\0"
    "seréis\0sería\0seríais\0seríamos\0serían\0serías\0seáis\0siente\0sin\0sintiendo\0sobre\0"
    "sois\0somos\0son\0soy\0su\0sus\0suya\0suyas\0suyo\0suyos\0sí\0también\0tanto\0te\0"
    "tendremos\0tendrá\0tendrán\0tendrás\0tendré\0tendréis\0tendría\0tendríais\0tendríamos\0"
    "tendrían\0tendrías\0tened\0tenemos\0tenga\0tengamos\0tengan\0tengas\0tengo\0tengáis\0"
    "tenida\0tenidas\0tenido\0tenidos\0teniendo\0tenéis\0tenía\0teníais\0teníamos\0tenían\0"
    "tenías\0ti\0tiene\0tienen\0tienes\0todo\0todos\0tu\0tus\0tuve\0tuviera\0tuvierais\0"
    "tuvieran\0tuvieras\0tuvieron\0tuviese\0tuvieseis\0tuviesen\0tuvieses\0tuvimos\0tuviste\0"
    "tuvisteis\0tuviéramos\0tuviésemos\0tuvo\0tuya\0tuyas\0tuyo\0tuyos\0tú\0un\0una\0uno\0"
    "unos\0vosostras\0vosostros\0vuestra\0vuestras\0vuestro\0vuestros\0y\0ya\0yo\0él\0éramos\0"
    /* swedish */
    "alla\0allt\0att\0av\0blev\0bli\0blir\0blivit\0de\0dem\0den\0denna\0deras\0dess\0dessa\0"
    "det\0detta\0dig\0din\0dina\0ditt\0du\0där\0då\0efter\0ej\0eller\0en\0er\0era\0ert\0ett\0"
    "från\0för\0ha\0hade\0han\0hans\0har\0henne\0hennes\0hon\0honom\0hur\0här\0i\0icke\0ingen\0"
    "inom\0inte\0jag\0ju\0kan\0kunde\0man\0med\0mellan\0men\0mig\0min\0mina\0mitt\0mot\0"
    "mycket\0ni\0nu\0när\0någon\0något\0några\0och\0om\0oss\0på\0samma\0sedan\0sig\0sin\0sina\0"
    "sitta\0själv\0skulle\0som\0så\0sådan\0sådana\0sådant\0till\0under\0upp\0ut\0utan\0vad\0"
    "var\0vara\0varför\0varit\0varje\0vars\0vart\0vem\0vi\0vid\0vilka\0vilkas\0vilken\0vilket\0"
    "vår\0våra\0vårt\0än\0är\0åt\0över\0"
    /* turkish */
    "acaba\0ama\0aslında\0az\0bazı\0belki\0biri\0birkaç\0birşey\0biz\0bu\0da\0daha\0de\0defa\0"
    "diye\0en\0eğer\0gibi\0hem\0hep\0hepsi\0her\0hiç\0ile\0ise\0için\0kez\0ki\0kim\0mu\0mü\0"
    "mı\0nasıl\0ne\0neden\0nerde\0nerede\0nereye\0niye\0niçin\0o\0sanki\0siz\0tüm\0ve\0veya\0"
    "ya\0yani\0çok\0çünkü\0şey\0şu\0";

/* Where each word starts in words[], list after list. */
static const uint16_t offsets[] = {
    0,     3,     6,     11,    15,    21,    24,    29,    35,    42,    45,    48,    52,
    56,    62,    66,    72,    76,    82,    86,    90,    96,    100,   103,   109,   115,
    118,   122,   125,   128,   132,   136,   140,   144,   149,   153,   159,   164,   170,
    177,   181,   185,   189,   194,   199,   204,   206,   211,   215,   219,   223,   226,
    232,   236,   242,   246,   252,   256,   260,   264,   269,   273,   277,   281,   287,
    293,   296,   301,   304,   310,   313,   316,   319,   324,   328,   333,   337,   341,
    346,   350,   355,   362,   366,   373,   377,   381,   384,   390,   394,   397,   401,
    407,   411,   417,   424,   428,   431,   437,   441,   448,   455,   459,   463,   468,
    472,   476,   479,   483,   488,   492,   496,   501,   506,   511,   515,   519,   524,
    527,   530,   533,   538,   546,   551,   555,   559,   566,   572,   576,   580,   585,
    589,   593,   597,   604,   609,   612,   615,   618,   621,   624,   628,   632,   639,
    644,   647,   652,   656,   660,   664,   669,   674,   677,   682,   687,   693,   697,
    700,   703,   706,   712,   718,   722,   726,   729,   734,   740,   743,   749,   754,
    759,   763,   765,   769,   772,   776,   781,   786,   791,   797,   801,   805,   810,
    816,   820,   824,   831,   837,   841,   844,   849,   854,   858,   863,   866,   873,
    877,   879,   885,   891,   897,   903,   911,   915,   918,   921,   925,   929,   933,
    936,   939,   942,   950,   955,   962,   968,   974,   982,   987,   991,   994,   998,
    1002,  1005,  1010,  1016,  1020,  1025,  1032,  1037,  1041,  1045,  1050,  1058,  1062,
    1066,  1071,  1078,  1081,  1085,  1090,  1095,  1103,  1107,  1115,  1119,  1123,  1125,
    1128,  1131,  1136,  1139,  1142,  1146,  1153,  1158,  1161,  1166,  1171,  1174,  1181,
    1184,  1188,  1192,  1196,  1199,  1203,  1206,  1211,  1216,  1219,  1225,  1229,  1234,
    1244,  1248,  1253,  1257,  1259,  1264,  1268,  1275,  1278,  1283,  1288,  1290,  1295,
    1300,  1304,  1310,  1317,  1322,  1333,  1338,  1344,  1350,  1355,  1360,  1366,  1374,
    1377,  1381,  1387,  1393,  1396,  1401,  1405,  1408,  1413,  1418,  1423,  1429,  1435,
    1441,  1445,  1450,  1454,  1459,  1464,  1468,  1473,  1479,  1488,  1499,  1502,  1509,
    1514,  1517,  1520,  1525,  1531,  1534,  1542,  1550,  1557,  1564,  1572,  1580,  1588,
    1596,  1603,  1608,  1616,  1625,  1635,  1645,  1652,  1662,  1672,  1679,  1687,  1692,
    1695,  1701,  1708,  1715,  1722,  1729,  1736,  1743,  1749,  1756,  1763,  1769,  1774,
    1780,  1786,  1792,  1798,  1803,  1809,  1813,  1819,  1825,  1830,  1836,  1843,  1850,
    1857,  1864,  1871,  1879,  1887,  1894,  1902,  1910,  1917,  1924,  1932,  1940,  1949,
    1958,  1964,  1972,  1981,  1990,  1996,  2003,  2009,  2015,  2020,  2025,  2029,  2032,
    2040,  2048,  2055,  2062,  2070,  2078,  2086,  2094,  2101,  2107,  2113,  2119,  2125,
    2132,  2139,  2146,  2152,  2160,  2168,  2176,  2182,  2190,  2198,  2204,  2211,  2217,
    2224,  2231,  2238,  2244,  2251,  2257,  2260,  2267,  2274,  2281,  2288,  2296,  2304,
    2309,  2316,  2324,  2332,  2339,  2346,  2353,  2360,  2367,  2374,  2381,  2386,  2392,
    2399,  2406,  2412,  2416,  2420,  2428,  2436,  2444,  2452,  2461,  2470,  2478,  2487,
    2496,  2504,  2511,  2515,  2522,  2527,  2532,  2539,  2543,  2550,  2555,  2561,  2570,
    2577,  2584,  2593,  2602,  2607,  2614,  2621,  2626,  2633,  2639,  2642,  2647,  2654,
    2657,  2663,  2667,  2674,  2681,  2688,  2694,  2700,  2707,  2714,  2720,  2728,  2736,
    2744,  2750,  2758,  2766,  2772,  2779,  2785,  2791,  2795,  2802,  2805,  2813,  2821,
    2828,  2835,  2843,  2851,  2859,  2867,  2874,  2878,  2885,  2892,  2899,  2906,  2913,
    2918,  2924,  2931,  2938,  2945,  2953,  2960,  2967,  2975,  2982,  2990,  2997,  3005,
    3013,  3020,  3025,  3029,  3036,  3040,  3043,  3047,  3053,  3058,  3062,  3065,  3068,
    3073,  3079,  3088,  3095,  3102,  3108,  3114,  3121,  3129,  3136,  3143,  3147,  3155,
    3161,  3167,  3172,  3177,  3183,  3190,  3196,  3202,  3209,  3217,  3224,  3229,  3235,
    3237,  3240,  3244,  3246,  3251,  3254,  3258,  3261,  3266,  3269,  3272,  3276,  3279,
    3282,  3286,  3291,  3298,  3302,  3308,  3316,  3323,  3331,  3340,  3344,  3348,  3355,
    3360,  3367,  3374,  3378,  3384,  3392,  3399,  3407,  3416,  3420,  3427,  3432,  3439,
    3442,  3444,  3447,  3449,  3452,  3455,  3460,  3464,  3466,  3469,  3474,  3477,  3481,
    3485,  3489,  3495,  3497,  3500,  3504,  3510,  3515,  3518,  3522,  3525,  3529,  3533,
    3538,  3541,  3545,  3549,  3551,  3554,  3557,  3562,  3568,  3577,  3584,  3591,  3597,
    3603,  3610,  3618,  3625,  3632,  3636,  3643,  3648,  3653,  3660,  3664,  3669,  3675,
    3682,  3687,  3691,  3693,  3696,  3699,  3703,  3707,  3711,  3714,  3717,  3721,  3725,
    3731,  3736,  3738,  3741,  3750,  3757,  3764,  3771,  3779,  3788,  3796,  3803,  3811,
    3817,  3824,  3832,  3839,  3845,  3850,  3855,  3861,  3867,  3873,  3879,  3883,  3888,
    3891,  3894,  3900,  3907,  3915,  3923,  3931,  3939,  3946,  3953,  3960,  3967,  3972,
    3976,  3980,  3984,  3988,  3992,  3997,  4000,  4006,  4011,  4015,  4024,  4029,  4034,
    4039,  4045,  4052,  4059,  4066,  4073,  4077,  4087,  4091,  4096,  4106,  4110,  4116,
    4125,  4135,  4139,  4149,  4156,  4161,  4165,  4170,  4176,  4185,  4195,  4202,  4209,
    4216,  4223,  4227,  4232,  4237,  4240,  4246,  4250,  4255,  4261,  4267,  4273,  4279,
    4285,  4292,  4300,  4308,  4316,  4324,  4331,  4334,  4337,  4343,  4348,  4353,  4358,
    4364,  4370,  4376,  4382,  4387,  4393,  4401,  4405,  4410,  4416,  4420,  4426,  4433,
    4438,  4442,  4449,  4453,  4457,  4461,  4467,  4471,  4476,  4482,  4488,  4494,  4500,
    4503,  4506,  4512,  4516,  4520,  4525,  4531,  4537,  4543,  4549,  4554,  4560,  4566,
    4572,  4578,  4584,  4589,  4594,  4600,  4607,  4614,  4621,  4628,  4636,  4644,  4651,
    4655,  4662,  4670,  4678,  4686,  4694,  4699,  4705,  4712,  4719,  4726,  4733,  4738,
    4742,  4746,  4751,  4758,  4763,  4769,  4776,  4781,  4785,  4789,  4792,  4797,  4802,
    4807,  4812,  4818,  4825,  4832,  4839,  4846,  4853,  4858,  4862,  4867,  4870,  4877,
    4885,  4893,  4901,  4909,  4914,  4921,  4929,  4935,  4938,  4942,  4946,  4951,  4957,
    4963,  4969,  4975,  4981,  4986,  4990,  4994,  4998,  5002,  5008,  5014,  5018,  5022,
    5027,  5034,  5041,  5049,  5057,  5065,  5073,  5078,  5084,  5091,  5095,  5102,  5107,
    5111,  5116,  5122,  5125,  5132,  5139,  5148,  5155,  5163,  5166,  5170,  5174,  5179,
    5188,  5194,  5196,  5202,  5208,  5214,  5219,  5223,  5228,  5234,  5240,  5246,  5254,
    5265,  5275,  5283,  5292,  5296,  5303,  5308,  5316,  5322,  5328,  5333,  5340,  5343,
    5348,  5353,  5361,  5365,  5372,  5380,  5386,  5393,  5396,  5403,  5409,  5414,  5419,
    5426,  5435,  5440,  5443,  5445,  5451,  5457,  5461,  5467,  5476,  5482,  5488,  5495,
    5502,  5508,  5514,  5517,  5523,  5529,  5535,  5540,  5550,  5557,  5565,  5571,  5576,
    5579,  5584,  5589,  5593,  5599,  5606,  5610,  5616,  5622,  5629,  5634,  5641,  5646,
    5650,  5655,  5663,  5669,  5678,  5685,  5690,  5694,  5701,  5705,  5710,  5715,  5723,
    5734,  5745,  5748,  5756,  5765,  5773,  5783,  5790,  5796,  5805,  5811,  5817,  5822,
    5827,  5832,  5839,  5844,  5848,  5856,  5861,  5868,  5873,  5876,  5882,  5889,  5896,
    5905,  5913,  5920,  5925,  5932,  5936,  5942,  5949,  5954,  5959,  5964,  5971,  5976,
    5981,  5986,  5994,  6001,  6004,  6010,  6015,  6019,  6025,  6031,  6040,  6049,  6055,
    6059,  6065,  6072,  6076,  6078,  6085,  6089,  6095,  6099,  6105,  6112,  6120,  6128,
    6135,  6145,  6152,  6159,  6166,  6174,  6184,  6190,  6198,  6206,  6212,  6219,  6224,
    6231,  6238,  6245,  6252,  6261,  6267,  6271,  6278,  6283,  6290,  6298,  6304,  6309,
    6316,  6323,  6331,  6338,  6350,  6354,  6358,  6365,  6369,  6374,  6381,  6386,  6390,
    6397,  6403,  6406,  6410,  6416,  6418,  6424,  6432,  6440,  6448,  6451,  6455,  6460,
    6463,  6466,  6470,  6475,  6480,  6485,  6491,  6498,  6505,  6512,  6521,  6528,  6537,
    6544,  6551,  6557,  6563,  6571,  6579,  6587,  6593,  6599,  6605,  6613,  6621,  6631,
    6637,  6645,  6652,  6660,  6668,  6675,  6681,  6687,  6693,  6699,  6705,  6711,  6713,
    6717,  6721,  6724,  6728,  6732,  6737,  6741,  6748,  6752,  6755,  6760,  6766,  6770,
    6774,  6779,  6785,  6791,  6797,  6802,  6808,  6812,  6816,  6821,  6827,  6833,  6839,
    6842,  6846,  6851,  6853,  6858,  6865,  6870,  6873,  6877,  6883,  6891,  6899,  6903,
    6907,  6915,  6922,  6931,  6940,  6949,  6956,  6964,  6972,  6980,  6990,  6998,  7008,
    7016,  7024,  7031,  7040,  7049,  7058,  7065,  7072,  7076,  7082,  7088,  7096,  7104,
    7114,  7120,  7128,  7135,  7143,  7151,  7158,  7164,  7170,  7175,  7182,  7187,  7193,
    7201,  7207,  7215,  7221,  7227,  7230,  7234,  7240,  7247,  7251,  7254,  7258,  7264,
    7267,  7269,  7272,  7275,  7278,  7280,  7283,  7286,  7290,  7293,  7296,  7301,  7305,
    7308,  7311,  7315,  7319,  7324,  7328,  7331,  7336,  7342,  7346,  7350,  7355,  7361,
    7367,  7373,  7377,  7381,  7388,  7395,  7402,  7409,  7411,  7415,  7423,  7428,  7434,
    7441,  7448,  7455,  7462,  7469,  7476,  7483,  7490,  7497,  7504,  7511,  7518,  7524,
    7532,  7540,  7550,  7556,  7564,  7571,  7579,  7587,  7594,  7600,  7606,  7609,  7613,
    7616,  7620,  7626,  7632,  7638,  7644,  7649,  7653,  7658,  7665,  7672,  7679,  7688,
    7697,  7708,  7715,  7724,  7732,  7741,  7750,  7758,  7765,  7772,  7778,  7786,  7794,
    7802,  7808,  7814,  7821,  7828,  7837,  7844,  7853,  7860,  7867,  7874,  7883,  7890,
    7895,  7902,  7909,  7916,  7920,  7923,  7927,  7931,  7936,  7942,  7946,  7950,  7955,
    7961,  7967,  7973,  7977,  7982,  7985,  7989,  7992,  7996,  8000,  8004,  8009,  8015,
    8021,  8024,  8028,  8032,  8035,  8039,  8046,  8053,  8060,  8067,  8070,  8086,  8102,
    8118,  8128,  8147,  8172,  8185,  8204,  8211,  8221,  8231,  8247,  8263,  8279,  8298,
    8320,  8333,  8343,  8362,  8375,  8394,  8401,  8408,  8415,  8428,  8438,  8448,  8464,
    8480,  8490,  8509,  8528,  8535,  8542,  8552,  8565,  8572,  8585,  8595,  8602,  8609,
    8619,  8629,  8645,  8661,  8677,  8690,  8697,  8710,  8720,  8736,  8752,  8768,  8790,
    8803,  8810,  8832,  8839,  8849,  8868,  8878,  8891,  8904,  8920,  8927,  8940,  8953,
    8960,  8973,  8992,  9005,  9015,  9031,  9041,  9054,  9085,  9107,  9123,  9133,  9146,
    9150,  9160,  9167,  9174,  9184,  9194,  9204,  9223,  9233,  9249,  9265,  9281,  9288,
    9301,  9308,  9324,  9340,  9356,  9384,  9397,  9407,  9423,  9433,  9440,  9450,  9457,
    9476,  9486,  9490,  9509,  9519,  9541,  9554,  9570,  9577,  9584,  9600,  9616,  9626,
    9639,  9652,  9662,  9669,  9679,  9704,  9729,  9748,  9773,  9795,  9814,  9836,  9855,
    9868,  9887,  9906,  9916,  9929,  9948,  9961,  9974,  9981,  9991,  10016, 10044, 10054,
    10064, 10077, 10099, 10118, 10131, 10150, 10166, 10182, 10201, 10220, 10233, 10237, 10253,
    10266, 10279, 10286, 10305, 10321, 10355, 10383, 10390, 10397, 10413, 10429, 10439, 10461,
    10471, 10481, 10494, 10516, 10541, 10557, 10573, 10589, 10611, 10624, 10643, 10659, 10669,
    10685, 10704, 10729, 10745, 10758, 10774, 10787, 10800, 10810, 10823, 10836, 10846, 10859,
    10872, 10888, 10904, 10926, 10942, 10964, 10974, 10993, 11000, 11010, 11020, 11027, 11043,
    11062, 11075, 11088, 11092, 11108, 11133, 11149, 11156, 11166, 11182, 11195, 11211, 11224,
    11234, 11250, 11266, 11282, 11298, 11317, 11327, 11346, 11353, 11366, 11376, 11392, 11408,
    11424, 11437, 11444, 11454, 11467, 11474, 11481, 11485, 11495, 11511, 11527, 11540, 11556,
    11575, 11585, 11598, 11608, 11618, 11631, 11638, 11657, 11676, 11689, 11714, 11730, 11752,
    11768, 11784, 11803, 11816, 11841, 11851, 11864, 11874, 11887, 11900, 11916, 11926, 11939,
    11949, 11959, 11975, 11988, 11995, 12005, 12027, 12040, 12050, 12060, 12073, 12086, 12099,
    12118, 12125, 12141, 12160, 12173, 12192, 12205, 12221, 12231, 12244, 12257, 12276, 12289,
    12305, 12318, 12331, 12336, 12339, 12342, 12347, 12353, 12357, 12362, 12366, 12371, 12377,
    12383, 12388, 12391, 12394, 12398, 12402, 12407, 12413, 12420, 12424, 12428, 12434, 12438,
    12443, 12449, 12453, 12459, 12462, 12466, 12472, 12477, 12480, 12485, 12492, 12496, 12499,
    12503, 12507, 12512, 12518, 12524, 12527, 12531, 12534, 12537, 12541, 12547, 12551, 12557,
    12561, 12566, 12569, 12575, 12579, 12584, 12588, 12595, 12601, 12608, 12612, 12617, 12620,
    12624, 12630, 12635, 12642, 12646, 12650, 12655, 12660, 12667, 12675, 12680, 12685, 12693,
    12701, 12703, 12708, 12714, 12720, 12725, 12731, 12735, 12740, 12743, 12747, 12751, 12755,
    12763, 12769, 12773, 12779, 12783, 12788, 12798, 12803, 12807, 12814, 12818, 12824, 12827,
    12831, 12837, 12841, 12847, 12854, 12858, 12861, 12865, 12870, 12875, 12879, 12885, 12889,
    12892, 12896, 12901, 12906, 12911, 12917, 12923, 12929, 12933, 12938, 12941, 12947, 12950,
    12954, 12958, 12963, 12967, 12973, 12977, 12982, 12985, 12989, 12995, 13001, 13005, 13010,
    13015, 13021, 13026, 13033, 13038, 13041, 13045, 13051, 13056, 13060, 13066, 13070, 13073,
    13077, 13080, 13085, 13089, 13094, 13100, 13104, 13109, 13115, 13118, 13122, 13128, 13133,
    13138, 13143, 13148, 13154, 13160, 13163, 13165, 13168, 13172, 13179, 13187, 13194, 13202,
    13209, 13212, 13217, 13221, 13226, 13229, 13233, 13236, 13241, 13247, 13252, 13258, 13265,
    13268, 13272, 13274, 13278, 13283, 13287, 13292, 13295, 13301, 13305, 13310, 13315, 13321,
    13326, 13332, 13337, 13345, 13351, 13358, 13366, 13371, 13378, 13386, 13396, 13402, 13409,
    13416, 13426, 13434, 13443, 13453, 13463, 13474, 13484, 13495, 13508, 13522, 13528, 13534,
    13545, 13552, 13555, 13559, 13565, 13569, 13574, 13580, 13586, 13593, 13599, 13606, 13610,
    13619, 13629, 13634, 13640, 13648, 13656, 13660, 13666, 13675, 13682, 13690, 13699, 13708,
    13717, 13728, 13737, 13747, 13757, 13766, 13776, 13789, 13798, 13808, 13820, 13833, 13837,
    13842, 13847, 13852, 13856, 13860, 13865, 13870, 13874, 13877, 13883, 13887, 13892, 13898,
    13905, 13911, 13914, 13918, 13922, 13925, 13929, 13935, 13942, 13948, 13955, 13959, 13964,
    13969, 13974, 13976, 13979, 13982, 13987, 13992, 13998, 14003, 14009, 14013, 14018, 14025,
    14029, 14034, 14037, 14042, 14048, 14056, 14060, 14066, 14074, 14080, 14087, 14093, 14100,
    14110, 14114, 14119, 14125, 14129, 14133, 14138, 14143, 14147, 14155, 14158, 14162, 14168,
    14174, 14181, 14190, 14196, 14202, 14210, 14216, 14223, 14229, 14236, 14246, 14250, 14255,
    14260, 14266, 14273, 14278, 14286, 14292, 14299, 14307, 14315, 14324, 14332, 14341, 14352,
    14364, 14367, 14371, 14376, 14381, 14391, 14394, 14398, 14404, 14411, 14415, 14418, 14422,
    14430, 14433, 14440, 14451, 14464, 14475, 14486, 14491, 14498, 14507, 14516, 14525, 14534,
    14537, 14544, 14551, 14562, 14571, 14576, 14583, 14598, 14605, 14618, 14629, 14638, 14645,
    14650, 14657, 14662, 14671, 14678, 14685, 14690, 14703, 14710, 14715, 14720, 14727, 14736,
    14745, 14752, 14755, 14760, 14765, 14776, 14787, 14790, 14795, 14802, 14807, 14820, 14825,
    14828, 14835, 14846, 14857, 14868, 14883, 14890, 14899, 14904, 14915, 14926, 14935, 14942,
    14953, 14964, 14975, 14982, 14989, 14994, 14999, 15006, 15015, 15030, 15037, 15042, 15051,
    15058, 15065, 15078, 15085, 15090, 15103, 15118, 15125, 15132, 15145, 15150, 15155, 15158,
    15163, 15172, 15177, 15184, 15191, 15202, 15207, 15218, 15223, 15230, 15241, 15252, 15265,
    15276, 15283, 15290, 15297, 15308, 15311, 15318, 15327, 15336, 15345, 15358, 15363, 15376,
    15383, 15394, 15401, 15410, 15417, 15430, 15435, 15446, 15455, 15464, 15477, 15484, 15491,
    15498, 15505, 15510, 15513, 15518, 15525, 15538, 15547, 15556, 15563, 15574, 15581, 15590,
    15601, 15610, 15617, 15628, 15637, 15646, 15655, 15662, 15665, 15667, 15670, 15675, 15683,
    15691, 15696, 15702, 15707, 15711, 15718, 15723, 15730, 15733, 15737, 15743, 15749, 15757,
    15759, 15762, 15767, 15773, 15779, 15782, 15788, 15792, 15798, 15803, 15808, 15813, 15816,
    15820, 15825, 15829, 15833, 15838, 15843, 15850, 15859, 15867, 15875, 15881, 15888, 15896,
    15903, 15911, 15919, 15927, 15933, 15943, 15951, 15960, 15969, 15977, 15987, 15996, 16007,
    16019, 16029, 16039, 16045, 16050, 16058, 16063, 16069, 16075, 16082, 16092, 16104, 16115,
    16126, 16137, 16147, 16159, 16170, 16181, 16191, 16201, 16213, 16227, 16241, 16248, 16254,
    16265, 16273, 16280, 16287, 16293, 16301, 16308, 16315, 16319, 16325, 16333, 16340, 16347,
    16354, 16360, 16368, 16375, 16382, 16386, 16393, 16400, 16409, 16419, 16429, 16432, 16439,
    16447, 16454, 16462, 16471, 16480, 16487, 16495, 16503, 16510, 16519, 16527, 16537, 16548,
    16557, 16566, 16574, 16581, 16590, 16600, 16608, 16616, 16620, 16624, 16630, 16634, 16639,
    16647, 16653, 16659, 16667, 16670, 16676, 16681, 16689, 16699, 16708, 16717, 16726, 16734,
    16744, 16753, 16762, 16770, 16778, 16788, 16800, 16812, 16817, 16820, 16824, 16827, 16831,
    16834, 16838, 16841, 16844, 16848, 16854, 16861, 16865, 16870, 16874, 16879, 16885, 16890,
    16896, 16901, 16904, 16907, 16911, 16920, 16929, 16937, 16946, 16954, 16963, 16965, 16968,
    16973, 16979, 16984, 16990, 16995, 17000, 17005, 17009, 17016, 17020, 17026, 17034, 17039,
    17042, 17046, 17053, 17058, 17063, 17070, 17078, 17087, 17095, 17104, 17112, 17118, 17125,
    17132, 17138, 17146, 17153, 17162, 17172, 17180, 17188, 17195, 17202, 17206, 17216, 17222,
    17227, 17233, 17237, 17241, 17244, 17248, 17253, 17259, 17264, 17270, 17274, 17283, 17289,
    17292, 17302, 17310, 17319, 17328, 17336, 17346, 17355, 17366, 17378, 17388, 17398, 17404,
    17412, 17418, 17427, 17434, 17441, 17447, 17456, 17463, 17471, 17478, 17486, 17495, 17503,
    17510, 17519, 17529, 17537, 17545, 17548, 17554, 17561, 17568, 17573, 17579, 17582, 17586,
    17591, 17599, 17609, 17618, 17627, 17636, 17644, 17654, 17663, 17672, 17680, 17688, 17698,
    17710, 17722, 17727, 17732, 17738, 17743, 17749, 17753, 17756, 17760, 17764, 17769, 17779,
    17789, 17797, 17806, 17814, 17823, 17825, 17828, 17831, 17835, 17843, 17848, 17853, 17857,
    17860, 17865, 17869, 17874, 17881, 17884, 17888, 17892, 17898, 17904, 17909, 17915, 17919,
    17925, 17929, 17933, 17938, 17943, 17946, 17951, 17955, 17961, 17964, 17970, 17973, 17976,
    17980, 17984, 17988, 17994, 17999, 18002, 18007, 18011, 18016, 18020, 18026, 18033, 18037,
    18043, 18047, 18052, 18054, 18059, 18065, 18070, 18075, 18079, 18082, 18086, 18092, 18096,
    18100, 18107, 18111, 18115, 18119, 18124, 18129, 18133, 18140, 18143, 18146, 18151, 18158,
    18165, 18172, 18176, 18179, 18183, 18187, 18193, 18199, 18203, 18207, 18212, 18218, 18225,
    18232, 18236, 18240, 18247, 18255, 18263, 18268, 18274, 18278, 18281, 18286, 18290, 18294,
    18299, 18307, 18313, 18319, 18324, 18329, 18333, 18336, 18340, 18346, 18353, 18360, 18367,
    18372, 18378, 18384, 18388, 18392, 18396, 18402, 18408, 18412, 18421, 18424, 18430, 18436,
    18441, 18449, 18457, 18461, 18464, 18467, 18472, 18475, 18480, 18485, 18488, 18494, 18499,
    18503, 18507, 18513, 18517, 18522, 18526, 18530, 18536, 18540, 18543, 18547, 18550, 18554,
    18558, 18565, 18568, 18574, 18580, 18587, 18594, 18599, 18606, 18608, 18614, 18618, 18623,
    18626, 18631, 18634, 18639, 18644, 18653, 18658,
};

/* Each list's run of offsets[], in ts_stop_list_t order. */
static const struct {
    uint16_t first;
    uint16_t count;
} lists[] = {
    {0, 0},      /* none */
    {0, 94},     /* danish */
    {94, 101},   /* dutch */
    {195, 127},  /* english */
    {322, 229},  /* finnish */
    {551, 155},  /* french */
    {706, 231},  /* german */
    {937, 198},  /* hungarian */
    {1135, 279}, /* italian */
    {1414, 304}, /* nepali */
    {1718, 172}, /* norwegian */
    {1890, 203}, /* portuguese */
    {2093, 151}, /* russian */
    {2244, 313}, /* spanish */
    {2557, 114}, /* swedish */
    {2671, 53},  /* turkish */
};

static int cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, words + *(const uint16_t *)elem);
}

bool ts_stop_is_stop(ts_stop_list_t list, const char *word)
{
    if ((size_t)list >= sizeof lists / sizeof lists[0] || lists[list].count == 0)
        return false;
    return bsearch(word, offsets + lists[list].first, lists[list].count, sizeof offsets[0], cmp) !=
           NULL;
}
