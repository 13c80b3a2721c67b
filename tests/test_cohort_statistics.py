"""The report's cohort comparison gives the textbook rank statistics, not just scipy's.

For every statement the report asks whether the cohorts (adults, young offenders, ...)
put their post-its in different places on the agree/disagree scale. Responses are
ordinal, strongly agree = 1 ... strongly disagree = 5, and only their order counts, with
mid-ranks for the many ties. Two cohorts are compared with Mann-Whitney U, reported for
the first cohort (the number of adult/young-offender pairs in which the adult disagreed
more, a tie counting one half); three or more with Kruskal-Wallis H, tie-corrected by
dividing by 1 - sum(t^3 - t) / (N^3 - N).

When any cohort has fewer than 20 responses, the p-value comes from re-dealing the
post-its among the cohorts: every arrangement counted when there are at most 9,999
("exact permutation"), otherwise 9,999 random arrangements ("permutation, 9,999
resamples"). The two-sided p for U is twice the smaller tail, at most 1; for H it is the
upper tail. Larger cohorts use the normal approximation for U (tie and continuity
corrections) and chi-squared with k - 1 degrees of freedom for H.

Every expected value here is either a published worked example, quoted with its source,
or is computed in this file from first principles in plain Python: U by counting pairs,
H from mid-ranks, exact p-values by enumerating arrangements with itertools, normal and
chi-squared tails in closed form with `math`. Nothing here asks scipy for the answer.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Iterator, Sequence

import pytest

from facilitator.core.statements import Category, Scale, Statement, load_statement_set
from facilitator.exercise.charts import COHORT, Chart, ChartGroup
from facilitator.outputs.report import RESAMPLES, Comparison, compare_cohorts
from tests.five_sessions import SET_PATH

SCALE = load_statement_set(SET_PATH).scale  # strongly agree (1) ... strongly disagree (5)
STATEMENT = Statement(1, "I expect my social worker to listen to me")
EXACT = 1e-9  # statistics and exact p-values: equal up to floating-point rounding


# ---------------------------------------------------------------- the real code path


def cohort(label: str, counts: Sequence[int], scale: Scale = SCALE) -> Chart:
    """One cohort's chart: how many post-its it put in each category, in scale order."""
    return Chart(f"{label}: x", ChartGroup(label, COHORT, ()), STATEMENT, scale, tuple(counts))


def compare(cohorts: dict[str, Sequence[int]], scale: Scale = SCALE) -> Comparison:
    return compare_cohorts(STATEMENT, [cohort(label, counts, scale) for label, counts in cohorts.items()])


def measured(values: dict[str, Sequence[float]]) -> tuple[Scale, dict[str, list[int]]]:
    """Published measurements as post-its on an ordered scale with one category per value.

    Rank tests use only the order of the data, so this changes no statistic.
    """
    distinct = sorted({v for vs in values.values() for v in vs})
    scale = Scale(tuple(Category(f"v{i}", str(v), str(v), str(i)) for i, v in enumerate(distinct, 1)))
    return scale, {label: [list(vs).count(v) for v in distinct] for label, vs in values.items()}


# ---------------------------------------------------------------- first principles


def responses(counts: Sequence[int]) -> list[int]:
    """Counts per category -> one response code per post-it (1 = strongly agree)."""
    return [code for code, n in enumerate(counts, 1) for _ in range(n)]


def midranks(values: Sequence[float]) -> list[float]:
    """Each value's rank in the pooled sample, tied values sharing the mean of their ranks."""
    order = sorted(values)
    first = {v: order.index(v) + 1 for v in set(values)}
    return [first[v] + (order.count(v) - 1) / 2 for v in values]


def u_by_pairs(x: Sequence[float], y: Sequence[float]) -> float:
    """Mann-Whitney U for x: pairs in which x is higher, a tie counting one half."""
    return sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in x for b in y)


def tie_correction(values: Sequence[float]) -> float:
    n = len(values)
    return 1 - sum(t**3 - t for t in Counter(values).values()) / (n**3 - n)


def h_from_rank_sums(rank_sums: Sequence[float], sizes: Sequence[int], correction: float) -> float:
    n = sum(sizes)
    h = 12 / (n * (n + 1)) * sum(r * r / k for r, k in zip(rank_sums, sizes, strict=True)) - 3 * (n + 1)
    return h / correction


def h_statistic(groups: Sequence[Sequence[float]]) -> float:
    """Kruskal-Wallis H from mid-ranks, divided by the tie correction."""
    pooled = [v for g in groups for v in g]
    ranks, sums, start = midranks(pooled), [], 0
    for g in groups:
        sums.append(sum(ranks[start : start + len(g)]))
        start += len(g)
    return h_from_rank_sums(sums, [len(g) for g in groups], tie_correction(pooled))


def deals(ranks: Sequence[float], sizes: Sequence[int]) -> Iterator[tuple[float, ...]]:
    """Each cohort's rank sum, for every way of dealing the N (distinct) post-its into cohorts
    of these sizes: N! / (n1! n2! ...) arrangements, equally likely if cohort makes no difference."""

    def deal(positions: list[int], sizes: Sequence[int]) -> Iterator[tuple[float, ...]]:
        if len(sizes) == 1:
            yield (sum(ranks[i] for i in positions),)
            return
        for chosen in itertools.combinations(positions, sizes[0]):
            taken = set(chosen)
            head = sum(ranks[i] for i in chosen)
            for tail in deal([i for i in positions if i not in taken], sizes[1:]):
                yield (head, *tail)

    yield from deal(list(range(len(ranks))), sizes)


def exact_u_p(x: Sequence[float], y: Sequence[float]) -> tuple[int, float]:
    """Arrangements, and the two-sided exact p for U: twice the smaller tail, at most 1."""
    ranks, n1 = midranks([*x, *y]), len(x)
    observed = u_by_pairs(x, y)
    low = high = total = 0
    for r1, _ in deals(ranks, [n1, len(y)]):
        u = r1 - n1 * (n1 + 1) / 2
        total += 1
        low += u <= observed
        high += u >= observed
    return total, min(1.0, 2 * min(low, high) / total)


def exact_h_p(groups: Sequence[Sequence[float]]) -> tuple[int, float]:
    """Arrangements, and the exact p for H: the share of arrangements with H at least as large."""
    pooled = [v for g in groups for v in g]
    ranks, sizes, correction = midranks(pooled), [len(g) for g in groups], tie_correction(pooled)
    observed = h_statistic(groups)
    hits = total = 0
    for sums in deals(ranks, sizes):
        total += 1
        hits += h_from_rank_sums(sums, sizes, correction) >= observed - EXACT
    return total, hits / total


def normal_u_p(x: Sequence[float], y: Sequence[float]) -> float:
    """Two-sided p for U from the normal approximation with tie and continuity corrections."""
    n1, n2 = len(x), len(y)
    n = n1 + n2
    ties = sum(t**3 - t for t in Counter([*x, *y]).values())
    sigma = math.sqrt(n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1))))
    z = (abs(u_by_pairs(x, y) - n1 * n2 / 2) - 0.5) / sigma
    return math.erfc(z / math.sqrt(2))  # = 2 * (1 - Phi(z))


def chi2_upper_tail(x: float, df: int) -> float:
    """P(chi-squared >= x), in closed form for the degrees of freedom used here."""
    if df == 2:
        return math.exp(-x / 2)
    if df == 3:
        return math.erfc(math.sqrt(x / 2)) + math.sqrt(2 * x / math.pi) * math.exp(-x / 2)
    raise ValueError(df)  # pragma: no cover


def resampling_tolerance(p: float) -> float:
    """Four standard errors of a p-value estimated from RESAMPLES random arrangements, plus
    the 1/(RESAMPLES + 1) the estimate adds by counting the observed arrangement."""
    return 4 * math.sqrt(p * (1 - p) / RESAMPLES) + 1 / (RESAMPLES + 1)


# ---------------------------------------------------------------- published worked examples


def test_mann_whitney_matches_hollander_and_wolfe_permeability_example() -> None:
    # Hollander, M. & Wolfe, D. A. (1973) Nonparametric Statistical Methods, Wiley, pp. 69f:
    # permeability constants of the human chorioamnion at term (x) and at 12-26 weeks (y).
    # Published result (also R's wilcox.test help example): W = 35 for x, one-sided exact
    # p = 0.1272, so two-sided p = 0.2544. No ties: C(15, 5) = 3,003 arrangements.
    term = [0.80, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46]
    weeks = [1.15, 0.88, 0.90, 0.74, 1.21]
    scale, counts = measured({"at term": term, "at 12-26 weeks": weeks})

    result = compare(counts, scale)

    assert u_by_pairs(term, weeks) == 35
    assert exact_u_p(term, weeks) == (3003, pytest.approx(2 * 382 / 3003))  # 382/3003 = 0.1272
    assert result.test == "Mann-Whitney U"
    assert result.method == "exact permutation"
    assert result.statistic == pytest.approx(35, abs=EXACT)
    assert result.p_value == pytest.approx(0.2544, abs=5e-5)
    assert result.p_value == pytest.approx(2 * 382 / 3003, abs=EXACT)
    assert result.figures.startswith("Mann-Whitney U = 35.0, p = 0.254, exact permutation")


def test_kruskal_wallis_matches_hollander_and_wolfe_mucociliary_example() -> None:
    # Hollander, M. & Wolfe, D. A. (1973) Nonparametric Statistical Methods, Wiley, p. 116:
    # mucociliary efficiency in normal subjects, obstructive airway disease and asbestosis.
    # Published result (also R's kruskal.test help example): H = 0.77143 on 2 degrees of
    # freedom, chi-squared p = 0.68. Rank sums 36, 36 and 33; no ties.
    normal = [2.9, 3.0, 2.5, 2.6, 3.2]
    obstructive = [3.8, 2.7, 4.0, 2.4]
    asbestosis = [2.8, 3.4, 3.7, 2.2, 2.0]
    scale, counts = measured({"normal": normal, "obstructive": obstructive, "asbestosis": asbestosis})

    result = compare(counts, scale)

    assert h_statistic([normal, obstructive, asbestosis]) == pytest.approx(0.77143, abs=5e-6)
    assert chi2_upper_tail(0.77143, 2) == pytest.approx(0.68, abs=5e-3)
    assert result.test == "Kruskal-Wallis H"
    assert result.statistic == pytest.approx(0.77143, abs=5e-6)
    # 14! / (5! 4! 5!) = 252,252 arrangements, too many to count: 9,999 random ones are drawn,
    # so the p-value estimates the exact permutation p within resampling error.
    arrangements, exact_p = exact_h_p([normal, obstructive, asbestosis])
    assert arrangements == 252_252
    assert result.method == "permutation, 9,999 resamples"
    assert result.p_value == pytest.approx(exact_p, abs=resampling_tolerance(exact_p))


# ---------------------------------------------------------------- post-its, computed here


def test_a_small_mann_whitney_is_exact_and_checkable_by_hand() -> None:
    # Adults:          Agree, Not sure, Disagree, Disagree, Strongly disagree = 2, 3, 4, 4, 5
    # Young offenders: Strongly agree x2, Agree, Not sure                     = 1, 1, 2, 3
    #
    # Pooled and sorted, with mid-ranks:
    #   response  1    1    2    2    3    3    4    4    5
    #   ranks     1    2    3    4    5    6    7    8    9
    #   mid-rank  1.5  1.5  3.5  3.5  5.5  5.5  7.5  7.5  9
    # Adults' rank sum R = 3.5 + 5.5 + 7.5 + 7.5 + 9 = 33, so U = R - 5*6/2 = 18.
    # Counting pairs instead: adult 2 beats 1, 1 and ties 2 (2.5); adult 3 beats 1, 1, 2 and
    # ties 3 (3.5); each adult 4 beats all four (4 + 4); adult 5 beats all four (4): U = 18
    # of 5*4 = 20 pairs.
    # Exact p: C(9, 5) = 126 ways to deal the nine post-its into five and four. U >= 18 in 5
    # of them: adults holding {2, 3, 4, 4, 5} (2 x 2 = 4 ways, either 2 and either 3) or
    # {3, 3, 4, 4, 5} (U = 20, 1 way). Twice the smaller tail: p = 2 * 5/126 = 0.0794.
    adults, young_offenders = (0, 1, 1, 2, 1), (2, 1, 1, 0, 0)
    x, y = responses(adults), responses(young_offenders)

    result = compare({"adults": adults, "young offenders": young_offenders})

    assert u_by_pairs(x, y) == 18
    assert exact_u_p(x, y) == (126, pytest.approx(10 / 126))
    assert result.test == "Mann-Whitney U"
    assert result.method == "exact permutation"
    assert result.statistic == pytest.approx(18, abs=EXACT)
    assert result.p_value == pytest.approx(10 / 126, abs=EXACT)
    assert result.plain == "Adults and young offenders answered much alike (no clear difference)."
    assert result.figures.startswith(
        "Mann-Whitney U = 18.0, p = 0.079, exact permutation; adults (n = 5) and young offenders (n = 4)."
    )
    assert "With samples this small" in result.figures


def test_u_is_reported_for_the_first_cohort() -> None:
    # Swapping the cohorts gives the complementary U = 5*4 - 18 = 2 and the same p.
    result = compare({"young offenders": (2, 1, 1, 0, 0), "adults": (0, 1, 1, 2, 1)})

    assert u_by_pairs(responses((2, 1, 1, 0, 0)), responses((0, 1, 1, 2, 1))) == 2
    assert result.statistic == pytest.approx(2, abs=EXACT)
    assert result.p_value == pytest.approx(10 / 126, abs=EXACT)


def test_a_small_kruskal_wallis_is_exact_and_tie_corrected() -> None:
    # Three cohorts of 4, 3 and 3: 10! / (4! 3! 3!) = 4,200 arrangements, all counted.
    #   adults            2, 3, 4, 5      young offenders   1, 1, 2      care leavers  2, 3, 4
    #   response  1    1    2  2  2    3    3    4    4    5
    #   mid-rank  1.5  1.5  4  4  4    6.5  6.5  8.5  8.5  10
    # Rank sums 29, 7 and 19; 12/(10*11) * (29^2/4 + 7^2/3 + 19^2/3) - 3*11 = 4.845, and the
    # ties (2, 3, 2 and 2 of a kind) divide it by 1 - (6 + 24 + 6 + 6)/990: H = 5.060.
    cohorts = {"adults": (0, 1, 1, 1, 1), "young offenders": (2, 1, 0, 0, 0), "care leavers": (0, 1, 1, 1, 0)}
    groups = [responses(c) for c in cohorts.values()]

    result = compare(cohorts)

    h = h_statistic(groups)
    assert h == pytest.approx((12 / 110 * (29**2 / 4 + 7**2 / 3 + 19**2 / 3) - 33) / (1 - 42 / 990))
    assert h == pytest.approx(5.060, abs=5e-4)
    arrangements, p = exact_h_p(groups)
    assert arrangements == 4200
    assert result.test == "Kruskal-Wallis H"
    assert result.method == "exact permutation"
    assert result.statistic == pytest.approx(h, abs=EXACT)
    assert result.p_value == pytest.approx(p, abs=EXACT)
    assert result.figures.startswith(f"Kruskal-Wallis H = 5.1, p = {p:.3f}, exact permutation")


def test_a_small_cohort_with_many_arrangements_uses_resampled_permutations() -> None:
    # 12 adults and 8 young offenders: C(20, 8) = 125,970 arrangements, more than 9,999.
    adults, young_offenders = (2, 3, 2, 3, 2), (4, 2, 1, 1, 0)
    x, y = responses(adults), responses(young_offenders)

    result = compare({"adults": adults, "young offenders": young_offenders})

    arrangements, exact_p = exact_u_p(x, y)
    assert arrangements == 125_970
    assert result.method == "permutation, 9,999 resamples"
    assert result.statistic == pytest.approx(u_by_pairs(x, y), abs=EXACT)
    assert result.p_value == pytest.approx(exact_p, abs=resampling_tolerance(exact_p))


def test_large_cohorts_use_the_normal_approximation_with_tie_and_continuity_corrections() -> None:
    # 32 adults and 24 young offenders, every category tied many times over.
    adults, young_offenders = (6, 10, 4, 7, 5), (9, 8, 3, 3, 1)
    x, y = responses(adults), responses(young_offenders)
    expected = normal_u_p(x, y)

    result = compare({"adults": adults, "young offenders": young_offenders})

    assert result.test == "Mann-Whitney U"
    assert result.method == "normal approximation"
    assert result.statistic == pytest.approx(u_by_pairs(x, y), abs=EXACT)
    assert result.p_value == pytest.approx(expected, rel=1e-9)
    # Leaving out the tie correction would move p by far more than the tolerance above.
    n1, n2 = len(x), len(y)
    sigma_without_ties = math.sqrt(n1 * n2 * (n1 + n2 + 1) / 12)
    z = (abs(u_by_pairs(x, y) - n1 * n2 / 2) - 0.5) / sigma_without_ties
    assert abs(math.erfc(z / math.sqrt(2)) - expected) > 1e-3


@pytest.mark.parametrize(
    "cohorts",
    [
        {"adults": (6, 10, 4, 7, 5), "young offenders": (9, 8, 3, 3, 1), "care leavers": (4, 6, 5, 4, 3)},
        {
            "adults": (6, 10, 4, 7, 5),
            "young offenders": (9, 8, 3, 3, 1),
            "care leavers": (4, 6, 5, 4, 3),
            "parents": (2, 5, 6, 6, 4),
        },
    ],
    ids=["three cohorts", "four cohorts"],
)
def test_large_cohorts_use_chi_squared_on_k_minus_one_degrees_of_freedom(
    cohorts: dict[str, tuple[int, ...]],
) -> None:
    groups = [responses(c) for c in cohorts.values()]
    h = h_statistic(groups)

    result = compare(cohorts)

    assert result.test == "Kruskal-Wallis H"
    assert result.method == "chi-squared approximation"
    assert result.statistic == pytest.approx(h, abs=EXACT)
    assert result.p_value == pytest.approx(chi2_upper_tail(h, len(groups) - 1), rel=1e-9)
    # The tie correction matters at this size: without it H would be noticeably smaller.
    pooled = [v for g in groups for v in g]
    assert h * tie_correction(pooled) < h - 0.05
