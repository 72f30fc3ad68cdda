from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from negotiator.bargaining import (
    CategoricalIssue,
    IntegerIssue,
    generated_scenario,
    read_genius_folder,
    write_genius_folder,
)
from negotiator.errors import InvalidInputError


def test_reads_the_party_domain(data_dir: Path) -> None:
    s = read_genius_folder(data_dir / "party")
    food, _, guests = s.space.issues
    assert isinstance(food, CategoricalIssue) and food.values[0] == "Chips and Nuts"
    assert isinstance(guests, IntegerIssue) and (guests.low, guests.high) == (10, 11)
    assert s.space.size == 24
    a, b = s.utilities
    assert a.weights == (0.5, 0.3, 0.2) and a.reservation == 0.25 and a.discount == 0.9
    assert b.reservation == 0.1 and b.discount is None
    # evaluations are normalised by the issue's largest evaluation, as Genius does
    assert a.values[0].table == {  # type: ignore[union-attr]
        "Chips and Nuts": 0.25,
        "Finger-Food": 0.5,
        "Handmade Cuisine": 0.75,
        "Catering": 1.0,
    }
    best_a = s.space.index_of(("Catering", "Band", 11))
    assert s.utility_matrix[0, best_a] == pytest.approx(1.0)
    best_b = s.space.index_of(("Chips and Nuts", "MP3", 10))
    assert s.utility_matrix[1, best_b] == pytest.approx(1.0)


def test_empty_agreement_zone_is_detected(data_dir: Path) -> None:
    assert read_genius_folder(data_dir / "nozone").analysis.zone_empty
    assert not read_genius_folder(data_dir / "party").analysis.zone_empty


def test_write_then_read_gives_the_same_scenario(tmp_path: Path, data_dir: Path) -> None:
    for scenario in (
        generated_scenario(5, issues=2, values=4),
        read_genius_folder(data_dir / "party"),
    ):
        write_genius_folder(scenario, tmp_path / scenario.name)
        back = read_genius_folder(tmp_path / scenario.name)
        assert back.space == scenario.space
        assert np.allclose(back.utility_matrix, scenario.utility_matrix)
        assert [u.reservation for u in back.utilities] == [
            u.reservation for u in scenario.utilities
        ]


def broken(
    tmp_path: Path, data_dir: Path, old: str, new: str, name: str = "party_profile_a.xml"
) -> Path:
    folder = tmp_path / "broken"
    shutil.copytree(data_dir / "party", folder)
    path = folder / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    return folder


@pytest.mark.parametrize(
    ("old", "new", "name", "element", "reason"),
    [
        (
            'evaluation="4"',
            'evaluation="four"',
            "party_profile_a.xml",
            "issue[name=Food]/item[2]@evaluation",
            "'four' is not a number",
        ),
        (
            '<weight index="2" value="0.3"/>',
            "",
            "party_profile_a.xml",
            "weight[index=2]",
            "no weight for issue Music",
        ),
        (
            'type="integer" vtype',
            'type="fuzzy" vtype',
            "party_domain.xml",
            "issue[name=Guests]@type",
            "unknown issue type 'fuzzy'",
        ),
        (
            'lowerbound="10" upperbound="11"/>',
            "/>",
            "party_domain.xml",
            "issue[name=Guests]",
            "needs lowerbound/upperbound",
        ),
        ("</negotiation_template>", "", "party_domain.xml", "(document)", "not readable XML"),
        (
            '<discount_factor value="0.9"/>',
            '<discount_factor value="1.5"/>',
            "party_profile_a.xml",
            "discount_factor@value",
            "outside (0, 1]",
        ),
        (
            '<item index="3" value="Band" description=""/>',
            '<item index="3" value="DJ"/>',
            "party_domain.xml",
            "issue[name=Music]",
            "distinct",
        ),
    ],
)
def test_bad_files_name_file_element_and_reason(
    tmp_path: Path, data_dir: Path, old: str, new: str, name: str, element: str, reason: str
) -> None:
    folder = broken(tmp_path, data_dir, old, new, name)
    with pytest.raises(InvalidInputError) as err:
        read_genius_folder(folder)
    message = str(err.value)
    assert name in message and element in message and reason in message


def test_folder_errors(tmp_path: Path, data_dir: Path) -> None:
    with pytest.raises(InvalidInputError, match="not a directory"):
        read_genius_folder(tmp_path / "missing")
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(data_dir / "party" / "party_domain.xml", folder)
    with pytest.raises(InvalidInputError, match="found 1 and 0"):
        read_genius_folder(folder)
