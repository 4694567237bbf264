"""Reference data shared by every domain: académies, disciplines, school levels, countries.

Codes are stable lower-case API values; names are what people read. French proper nouns
(académie names) are not translated.
"""

from __future__ import annotations

from babel import Locale
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

#: The 30 académies of the French education system (region academic codes).
ACADEMIES: dict[str, str] = {
    "aix-marseille": "Aix-Marseille",
    "amiens": "Amiens",
    "besancon": "Besançon",
    "bordeaux": "Bordeaux",
    "clermont-ferrand": "Clermont-Ferrand",
    "corse": "Corse",
    "creteil": "Créteil",
    "dijon": "Dijon",
    "grenoble": "Grenoble",
    "guadeloupe": "Guadeloupe",
    "guyane": "Guyane",
    "lille": "Lille",
    "limoges": "Limoges",
    "lyon": "Lyon",
    "martinique": "Martinique",
    "mayotte": "Mayotte",
    "montpellier": "Montpellier",
    "nancy-metz": "Nancy-Metz",
    "nantes": "Nantes",
    "nice": "Nice",
    "normandie": "Normandie",
    "orleans-tours": "Orléans-Tours",
    "paris": "Paris",
    "poitiers": "Poitiers",
    "reims": "Reims",
    "rennes": "Rennes",
    "la-reunion": "La Réunion",
    "strasbourg": "Strasbourg",
    "toulouse": "Toulouse",
    "versailles": "Versailles",
}

#: School subjects, used for teachers' disciplines and solutions' subjects.
DISCIPLINES: dict[str, str] = {
    "francais": _l("French"),
    "mathematiques": _l("Mathematics"),
    "histoire-geographie": _l("History and geography"),
    "emc": _l("Moral and civic education"),
    "sciences": _l("Sciences"),
    "svt": _l("Life and earth sciences"),
    "physique-chimie": _l("Physics and chemistry"),
    "technologie": _l("Technology"),
    "nsi": _l("Computer science (NSI)"),
    "ses": _l("Economic and social sciences"),
    "philosophie": _l("Philosophy"),
    "langues-vivantes": _l("Modern languages"),
    "arts-plastiques": _l("Visual arts"),
    "education-musicale": _l("Music education"),
    "eps": _l("Physical education"),
    "documentation": _l("Documentation"),
    "enseignement-professionnel": _l("Vocational teaching"),
    "pluridisciplinaire": _l("Cross-disciplinary"),
}

#: School levels, from cycle 1 (maternelle) to higher education.
LEVELS: dict[str, str] = {
    "cycle1": _l("Cycle 1 (nursery school)"),
    "cycle2": _l("Cycle 2 (CP to CE2)"),
    "cycle3": _l("Cycle 3 (CM1 to 6e)"),
    "cycle4": _l("Cycle 4 (5e to 3e)"),
    "lycee-general": _l("General lycée"),
    "lycee-technologique": _l("Technological lycée"),
    "lycee-professionnel": _l("Vocational lycée"),
    "superieur": _l("Higher education"),
}

#: Career stages of a teacher.
CAREER_STAGES: dict[str, str] = {
    "stagiaire": _l("Trainee teacher (stagiaire)"),
    "neotitulaire": _l("Newly tenured (néotitulaire)"),
    "titulaire": _l("Tenured (titulaire)"),
    "contractuel": _l("Contract teacher (contractuel)"),
}


#: The 249 officially assigned ISO 3166-1 alpha-2 codes. The CLDR (Babel) also names
#: reserved and private-use codes (ZZ "Unknown Region", EU, UN, XK, QO, AC, IC…), which are
#: no country of a head office.
_ASSIGNED = """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO
    BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ
    DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP
    GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG
    KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML
    MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE
    PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL
    SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM
    US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW
"""
ISO_3166_ALPHA2: frozenset[str] = frozenset(_ASSIGNED.split())


def country_codes() -> frozenset[str]:
    """The assigned ISO 3166-1 alpha-2 codes (upper case)."""
    return ISO_3166_ALPHA2


def country_name(code: str) -> str:
    locale = get_locale() or Locale("fr")
    return locale.territories.get(code, code)


def country_choices() -> list[tuple[str, str]]:
    """Countries sorted by their name in the reader's language, France first."""
    locale = get_locale() or Locale("fr")
    names = {code: locale.territories.get(code, code) for code in country_codes()}
    ordered = sorted((c for c in names if c != "FR"), key=lambda c: names[c])
    return [("FR", names["FR"])] + [(code, names[code]) for code in ordered]
