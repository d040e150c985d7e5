"""The quality bench refuses counts that would leave a row with nothing to average."""

import pytest

from bench.quality_bench import SEEDS, TEST_DAYS, parse_args


@pytest.mark.parametrize("flag", ["--seeds", "--days", "--limit"])
@pytest.mark.parametrize("value", ["0", "-1"])
def test_counts_below_one_are_refused_naming_the_flag(
    flag: str, value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        parse_args([flag, value])
    assert flag in capsys.readouterr().err


def test_defaults_and_positive_counts_pass() -> None:
    args = parse_args([])
    assert (args.seeds, args.days) == (SEEDS, TEST_DAYS)
    assert parse_args(["--seeds", "1", "--days", "2", "--limit", "0.5"]).seeds == 1
