/* The stop-word lists of Postgres's english, french and german text-search
 * configurations (tsearch_data/<language>.stop of PostgreSQL 15: the Snowball
 * project's lists, BSD licence, Copyright (c) 2001 Dr Martin Porter and
 * Richard Boulton), embedded so that nothing is read at run time. Each list
 * is sorted bytewise (strcmp) for bsearch; the words are lowercase UTF-8 as
 * Postgres's readstoplist keeps them. Generated from those files; do not edit
 * by hand. */
#include "ts_stop.h"

#include <stdlib.h>
#include <string.h>

static const char *const english_stop[] = {
    "a",      "about",  "above", "after", "again",   "against",   "all",        "am",
    "an",     "and",    "any",   "are",   "as",      "at",        "be",         "because",
    "been",   "before", "being", "below", "between", "both",      "but",        "by",
    "can",    "did",    "do",    "does",  "doing",   "don",       "down",       "during",
    "each",   "few",    "for",   "from",  "further", "had",       "has",        "have",
    "having", "he",     "her",   "here",  "hers",    "herself",   "him",        "himself",
    "his",    "how",    "i",     "if",    "in",      "into",      "is",         "it",
    "its",    "itself", "just",  "me",    "more",    "most",      "my",         "myself",
    "no",     "nor",    "not",   "now",   "of",      "off",       "on",         "once",
    "only",   "or",     "other", "our",   "ours",    "ourselves", "out",        "over",
    "own",    "s",      "same",  "she",   "should",  "so",        "some",       "such",
    "t",      "than",   "that",  "the",   "their",   "theirs",    "them",       "themselves",
    "then",   "there",  "these", "they",  "this",    "those",     "through",    "to",
    "too",    "under",  "until", "up",    "very",    "was",       "we",         "were",
    "what",   "when",   "where", "which", "while",   "who",       "whom",       "why",
    "will",   "with",   "you",   "your",  "yours",   "yourself",  "yourselves",
};

static const char *const french_stop[] = {
    "ai",      "aie",      "aient",   "aies",     "ait",     "as",      "au",      "aura",
    "aurai",   "auraient", "aurais",  "aurait",   "auras",   "aurez",   "auriez",  "aurions",
    "aurons",  "auront",   "aux",     "avaient",  "avais",   "avait",   "avec",    "avez",
    "aviez",   "avions",   "avons",   "ayant",    "ayante",  "ayantes", "ayants",  "ayez",
    "ayons",   "c",        "ce",      "ces",      "d",       "dans",    "de",      "des",
    "du",      "elle",     "en",      "es",       "est",     "et",      "eu",      "eue",
    "eues",    "eurent",   "eus",     "eusse",    "eussent", "eusses",  "eussiez", "eussions",
    "eut",     "eux",      "eûmes",   "eût",      "eûtes",   "furent",  "fus",     "fusse",
    "fussent", "fusses",   "fussiez", "fussions", "fut",     "fûmes",   "fût",     "fûtes",
    "il",      "j",        "je",      "l",        "la",      "le",      "leur",    "lui",
    "m",       "ma",       "mais",    "me",       "mes",     "moi",     "mon",     "même",
    "n",       "ne",       "nos",     "notre",    "nous",    "on",      "ont",     "ou",
    "par",     "pas",      "pour",    "qu",       "que",     "qui",     "s",       "sa",
    "se",      "sera",     "serai",   "seraient", "serais",  "serait",  "seras",   "serez",
    "seriez",  "serions",  "serons",  "seront",   "ses",     "soient",  "sois",    "soit",
    "sommes",  "son",      "sont",    "soyez",    "soyons",  "suis",    "sur",     "t",
    "ta",      "te",       "tes",     "toi",      "ton",     "tu",      "un",      "une",
    "vos",     "votre",    "vous",    "y",        "à",       "étaient", "étais",   "était",
    "étant",   "étante",   "étantes", "étants",   "étiez",   "étions",  "été",     "étée",
    "étées",   "étés",     "êtes",
};

static const char *const german_stop[] = {
    "aber",     "alle",      "allem",     "allen",    "aller",   "alles",    "als",
    "also",     "am",        "an",        "ander",    "andere",  "anderem",  "anderen",
    "anderer",  "anderes",   "anderm",    "andern",   "anderr",  "anders",   "auch",
    "auf",      "aus",       "bei",       "bin",      "bis",     "bist",     "da",
    "damit",    "dann",      "das",       "dasselbe", "dazu",    "daß",      "dein",
    "deine",    "deinem",    "deinen",    "deiner",   "deines",  "dem",      "demselben",
    "den",      "denn",      "denselben", "der",      "derer",   "derselbe", "derselben",
    "des",      "desselben", "dessen",    "dich",     "die",     "dies",     "diese",
    "dieselbe", "dieselben", "diesem",    "diesen",   "dieser",  "dieses",   "dir",
    "doch",     "dort",      "du",        "durch",    "ein",     "eine",     "einem",
    "einen",    "einer",     "eines",     "einig",    "einige",  "einigem",  "einigen",
    "einiger",  "einiges",   "einmal",    "er",       "es",      "etwas",    "euch",
    "euer",     "eure",      "eurem",     "euren",    "eurer",   "eures",    "für",
    "gegen",    "gewesen",   "hab",       "habe",     "haben",   "hat",      "hatte",
    "hatten",   "hier",      "hin",       "hinter",   "ich",     "ihm",      "ihn",
    "ihnen",    "ihr",       "ihre",      "ihrem",    "ihren",   "ihrer",    "ihres",
    "im",       "in",        "indem",     "ins",      "ist",     "jede",     "jedem",
    "jeden",    "jeder",     "jedes",     "jene",     "jenem",   "jenen",    "jener",
    "jenes",    "jetzt",     "kann",      "kein",     "keine",   "keinem",   "keinen",
    "keiner",   "keines",    "können",    "könnte",   "machen",  "man",      "manche",
    "manchem",  "manchen",   "mancher",   "manches",  "mein",    "meine",    "meinem",
    "meinen",   "meiner",    "meines",    "mich",     "mir",     "mit",      "muss",
    "musste",   "nach",      "nicht",     "nichts",   "noch",    "nun",      "nur",
    "ob",       "oder",      "ohne",      "sehr",     "sein",    "seine",    "seinem",
    "seinen",   "seiner",    "seines",    "selbst",   "sich",    "sie",      "sind",
    "so",       "solche",    "solchem",   "solchen",  "solcher", "solches",  "soll",
    "sollte",   "sondern",   "sonst",     "um",       "und",     "uns",      "unse",
    "unsem",    "unsen",     "unser",     "unses",    "unter",   "viel",     "vom",
    "von",      "vor",       "war",       "waren",    "warst",   "was",      "weg",
    "weil",     "weiter",    "welche",    "welchem",  "welchen", "welcher",  "welches",
    "wenn",     "werde",     "werden",    "wie",      "wieder",  "will",     "wir",
    "wird",     "wirst",     "wo",        "wollen",   "wollte",  "während",  "würde",
    "würden",   "zu",        "zum",       "zur",      "zwar",    "zwischen", "über",
};

static int cmp(const void *key, const void *elem)
{
    return strcmp((const char *)key, *(const char *const *)elem);
}

bool ts_stop_is_stop(ts_stop_list_t list, const char *word)
{
    const char *const *words;
    size_t n;
    switch (list) {
    case TS_STOP_ENGLISH:
        words = english_stop, n = sizeof english_stop / sizeof english_stop[0];
        break;
    case TS_STOP_FRENCH:
        words = french_stop, n = sizeof french_stop / sizeof french_stop[0];
        break;
    case TS_STOP_GERMAN:
        words = german_stop, n = sizeof german_stop / sizeof german_stop[0];
        break;
    default:
        return false;
    }
    return bsearch(word, words, n, sizeof *words, cmp) != NULL;
}
