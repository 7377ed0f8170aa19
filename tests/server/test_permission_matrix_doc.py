"""docs/server.md's permission matrix is the one the code enforces."""

from __future__ import annotations

from pathlib import Path

from kimlik.access.permissions import ROLES, Permission

DOC = Path(__file__).resolve().parents[2] / "docs" / "server.md"


def documented_matrix() -> dict[str, dict[str, bool]]:
    lines = DOC.read_text(encoding="utf-8").splitlines()
    start = lines.index("### Permission matrix")
    header: list[str] = []
    matrix: dict[str, dict[str, bool]] = {}
    for line in lines[start + 1 :]:
        if not line.startswith("|"):
            if matrix:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        if cells[0] == "permission":
            header = cells
        elif not set(cells[0]) <= {"-", " "}:
            name = cells[0].strip("`")
            matrix[name] = {role: cells[header.index(role)] == "yes" for role in ROLES}
    return matrix


def test_the_documented_matrix_is_the_enforced_one() -> None:
    enforced = {
        permission.value: {role: permission in granted for role, granted in ROLES.items()}
        for permission in Permission
    }
    assert documented_matrix() == enforced
