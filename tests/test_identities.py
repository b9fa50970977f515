"""The identities of shared/checks.md (A1–A7 and X1–X7) on the rendered JSON of both samples (tests/identities.py
holds the checks; tests/test_properties.py runs the same checks on random departments)."""

from __future__ import annotations

import pytest

from identities import (check_a1, check_a2, check_a3, check_a5, check_a6, check_a7, check_tree, check_x1, check_x2,
                        check_x3, check_x4, check_x5, check_x6, check_x7, each_scope, scopes_of)


@pytest.fixture(params=["julu", "wei"])
def sample(request):
    return scopes_of(request.getfixturevalue(request.param))


def test_a1_summary_balances(sample):
    for _, t in each_scope(sample):
        check_a1(t["t1"])


def test_a2_income_rows(sample):
    for _, t in each_scope(sample):
        check_a2(t["t2"])


def test_a3_spending_rows(sample):
    for _, t in each_scope(sample):
        for kind in ("t3", "t5", "t7", "t8"):
            check_a3(t[kind])


def test_a4_parents_sum_children(sample):
    for _, t in each_scope(sample):
        for kind in ("t2", "t3", "t5", "t7", "t8"):
            check_tree(t[kind], (3, 5, 7))


def test_a5_appropriation_summary(sample):
    for _, t in each_scope(sample):
        check_a5(t["t4"])


def test_a6_basic_spending(sample):
    for _, t in each_scope(sample):
        check_a6(t["t6"])


def test_a7_sangong(sample):
    for _, t in each_scope(sample):
        check_a7(t["t9"])


def test_x1_appropriation_income_rows(sample):
    check_x1(sample)


def test_x2_appropriation_columns_by_class(sample):
    check_x2(sample)


def test_x3_summary_against_income_and_spending(sample):
    check_x3(sample)


def test_x4_income_and_spending_list_the_same_codes(sample):
    check_x4(sample)


def test_x5_basic_spending_total(sample):
    check_x5(sample)


def test_x6_empty_fund_tables(sample):
    check_x6(sample)


def test_x7_department_is_the_sum_of_its_units(sample):
    check_x7(sample)
