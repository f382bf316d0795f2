"""The greeting derived from a client's name (DESIGN §2 "Client"; LETTERS.md "The greeting
and the owner's words"): titles dropped, compound given names whole."""

from __future__ import annotations

import unicodedata
from collections import Counter

import pytest

from followup.greetings import compound_given_names, derive_greeting


@pytest.mark.parametrize(
    ("name", "greeting"),
    [
        # Plain names: the given name.
        ("Manuel Ortega", "Manuel"),
        ("Lucía Pérez Gómez", "Lucía"),
        ("Siobhán Ní Bhriain", "Siobhán"),
        ("Madonna", "Madonna"),
        # Titles, any case, dot or not, several in a row.
        ("Sr. D. Manuel Ortega", "Manuel"),
        ("Prof. Dr. Ana Ruiz", "Ana"),
        ("D. Manuel Ortega Gil", "Manuel"),
        ("Dña. Begoña Ibáñez", "Begoña"),
        ("DÑA BEGOÑA IBÁÑEZ", "Begoña"),
        ("Dª Carmen López", "Carmen"),
        ("D.ª Carmen López", "Carmen"),
        ("doña Rosario Vela", "Rosario"),
        ("Sra. Dña. Pilar Marín", "Pilar"),
        ("srta Nuria Soler", "Nuria"),
        ("Dra. Elena Campos", "Elena"),
        ("Lic. Juan Pablo Ramírez Ochoa", "Juan Pablo"),
        ("Ing. Luis Fernando Ortiz", "Luis Fernando"),
        ("Sor Juana Inés de la Cruz", "Juana"),
        ("MR. DAVID JONES", "David"),
        ("Mrs Priya Patel", "Priya"),
        ("ms. Emily Clarke", "Emily"),
        ("Mx Sam Taylor", "Sam"),
        ("Sir Patrick Stewart", "Patrick"),
        ("Rev. Fr. Patrick Murphy", "Patrick"),
        ("Sr.D.Manuel Ortega", "Manuel"),
        # A title and a surname: the title stays, tidied.
        ("Sr. Ortega", "Sr. Ortega"),
        ("Dr. Grant", "Dr. Grant"),
        ("Dr Grant", "Dr Grant"),
        ("Mrs Patel", "Mrs Patel"),
        ("SR ORTEGA", "Sr. Ortega"),
        ("sra navarro", "Sra. Navarro"),
        ("Sra. DE LA FUENTE", "Sra. de la Fuente"),
        ("Mr J. R. Smith", "Mr Smith"),
        ("Ms O'Brien", "Ms O'Brien"),
        ("Ortega, Sr.", "Sr. Ortega"),
        # Compound given names, longest first, as the owner wrote them.
        ("María José Navarro", "María José"),
        ("maria jose navarro", "Maria Jose"),
        ("Francisco Javier Ruiz", "Francisco Javier"),
        ("María del Carmen Ortiz", "María del Carmen"),
        ("María de los Ángeles Vidal Roca", "María de los Ángeles"),
        ("María Ángeles Vidal", "María Ángeles"),
        ("José Luis Sánchez", "José Luis"),
        ("Miguel Ángel Torres", "Miguel Ángel"),
        ("Juan Carlos Fernández", "Juan Carlos"),
        ("Mª José Navarro", "Mª José"),
        ("Ma. Guadalupe Hernández Ríos", "Ma. Guadalupe"),
        ("José de Jesús Ramírez", "José de Jesús"),
        ("Mari Carmen Gil", "Mari Carmen"),
        ("Jose Ignacio Etxeberria", "Jose Ignacio"),
        ("Ana Belén", "Ana Belén"),
        ("María García López", "María"),
        ("Van Morrison", "Van"),
        ("Mary Ann Walsh", "Mary Ann"),
        ("Anne Marie O'Connor", "Anne Marie"),
        ("Jean Pierre Dubois", "Jean Pierre"),
        # All capitals: normal case, particles in lowercase; mixed case kept exactly.
        ("MARÍA JOSÉ NAVARRO", "María José"),
        ("MARÍA DEL CARMEN ORTIZ", "María del Carmen"),
        ("SEAN O'BRIEN", "Sean"),
        ("DeShawn Jackson", "DeShawn"),
        ("McKenzie McDonald", "McKenzie"),
        # "Surname, Given", as spreadsheets export it.
        ("Navarro Gil, María José", "María José"),
        ("ORTIZ PEÑA, MARÍA DEL CARMEN", "María del Carmen"),
        ("Ortega Gil, Sr. D. Manuel", "Manuel"),
        ("Walsh, Mary Ann", "Mary Ann"),
        ("John Smith, Jr.", "John"),
        # Hyphens and apostrophes belong to the word.
        ("Jean-Luc Picard", "Jean-Luc"),
        ("Anne-Marie Duff", "Anne-Marie"),
        ("JEAN-LUC PICARD", "Jean-Luc"),
        ("D'Angelo Russell", "D'Angelo"),
        ("Siobhán O'Brien", "Siobhán"),
        # Whitespace tidied.
        ("  Juan   Carlos\tPérez ", "Juan Carlos"),
        ("Mrs\u00a0Patel", "Mrs Patel"),
        # No name to greet by: the template greets without one.
        ("", ""),
        ("   ", ""),
        ("Sr. D.", ""),
        ("Dr.", ""),
        ("J. Smith", ""),
        ("de la Fuente", ""),
        ("- -", ""),
        # Companies.
        ("Talleres Ruiz S.L.", ""),
        ("Bicis Ortega, S.L.U.", ""),
        ("Ferretería Gómez SL", ""),
        ("Cooperativa del Campo S.Coop.", ""),
        ("Hermanos Pérez C.B.", ""),
        ("Distribuidora Azteca S.A. de C.V.", ""),
        ("Acme Ltd", ""),
        ("Brennan & Sons Ltd.", ""),
        ("Lone Star Tools LLC", ""),
        ("Widgets Inc.", ""),
        ("Tesco plc", ""),
        ("Müller Werkzeuge GmbH", ""),
    ],
)
def test_the_greeting_derived_from_a_name(name: str, greeting: str) -> None:
    assert derive_greeting(name) == greeting


def test_an_initial_is_not_taken_for_a_company() -> None:
    assert derive_greeting("Inés S. Arroyo") == "Inés"
    assert derive_greeting("Sara Ltdova") == "Sara"


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if unicodedata.category(c) != "Mn").casefold()


def test_the_compound_names_are_each_written_once_and_compound() -> None:
    names = compound_given_names()
    twice = [name for name, count in Counter(map(fold, names)).items() if count > 1]
    single = [name for name in names if len(name.split()) < 2]
    assert len(names) > 100
    assert twice == []
    assert single == []
