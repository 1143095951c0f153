"""DATA rules: which axis the `.loc` fix puts each index on, and loops that are fine."""

from __future__ import annotations

import pytest
from rule_support import fixed, found

FRAME = "import pandas as pd\n\ndef f(path, mask):\n    df = pd.read_csv(path)\n    {line}\n"


@pytest.mark.parametrize(
    ("chained", "loc"),
    [
        ("df[df.qty > 1]['c'] = 0", "df.loc[df.qty > 1, 'c'] = 0"),
        ("df['c'][df.qty > 1] = 0", "df.loc[df.qty > 1, 'c'] = 0"),
        ("df[['a', 'b']][mask] = 0", "df.loc[mask, ['a', 'b']] = 0"),
        ("df['a']['row-7'] = 0", "df.loc['row-7', 'a'] = 0"),
        ("df[mask]['c'] += 1", "df.loc[mask, 'c'] += 1"),
    ],
)
def test_chained_assignment_fix_puts_rows_first(chained: str, loc: str) -> None:
    assert fixed(FRAME.format(line=chained), "DATA504") == FRAME.format(line=loc)


@pytest.mark.parametrize(
    "line",
    ["grid[0][1] = 0", "config['db']['host'] = 'x'", "df.loc[mask, 'c'] = 0", "df[1:3]['c'] = 0"],
)
def test_nested_containers_are_not_frames(line: str) -> None:
    code = f"import pandas as pd\n\ndef f(grid, config, df, mask):\n    {line}\n"
    assert found(code, "DATA504") == []


def test_row_loops_that_hand_rows_elsewhere_are_fine() -> None:
    code = (
        "import pandas as pd\n\n"
        "def sync(df, client):\n"
        "    for _, row in df.iterrows():\n"
        "        client.post('/items', json=row.to_dict())\n"
        "    for _, row in df.iterrows():\n"
        "        df.at[_, 'total'] = row['price'] * row['qty']\n"
    )
    assert found(code, "DATA501") == [("DATA501", 6)]


def test_growth_and_repeated_reads_in_one_loop() -> None:
    code = (
        "import pandas as pd\n\n"
        "def build(days):\n"
        "    df = pd.DataFrame()\n"
        "    for day in days:\n"
        "        prices = pd.read_csv('prices.csv')\n"
        "        daily = pd.read_csv(f'{day}.csv')\n"
        "        df = pd.concat([df, daily.merge(prices)])\n"
        "    return df\n"
    )
    assert found(code, "DATA") == [("DATA502", 8), ("DATA505", 6)]
