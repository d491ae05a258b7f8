"""Money rules: half-up rounding to the penny, and shares that conserve the pot exactly."""

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from apmodel.domain.money import money, share_pot


def test_rounding_is_half_up_to_the_penny() -> None:
    assert money(Decimal("2221.155")) == Decimal("2221.16")
    assert money(Decimal("2221.154999")) == Decimal("2221.15")
    assert money(Decimal("-0.005")) == Decimal("-0.01")  # half away from zero


def test_thirds_of_a_hundred_pounds_conserve_the_pot() -> None:
    # 100.00 / 3 = 33.333...: floors 33.33 x 3 = 99.99; the spare penny goes to the first (ties: earlier item).
    assert share_pot(Decimal("100.00"), [Decimal(1)] * 3) == [Decimal("33.34"), Decimal("33.33"), Decimal("33.33")]


def test_spare_pennies_go_to_the_largest_remainders() -> None:
    # 1,000p x (1, 2, 4) / 7 = 142.857p, 285.714p, 571.429p -> floors 142 + 285 + 571 = 998p;
    # the 2 spare pennies go to remainders .857 and .714 -> 1.43, 2.86, 5.71 (= 10.00).
    assert share_pot(Decimal("10.00"), [Decimal(1), Decimal(2), Decimal(4)]) == [
        Decimal("1.43"), Decimal("2.86"), Decimal("5.71")]


def test_a_negative_pot_is_shared_and_conserved_too() -> None:
    # -100.00 / 3 = -33.333...: floors -33.34 x 3 = -100.02; two pennies back to the first two.
    assert share_pot(Decimal("-100.00"), [Decimal(1)] * 3) == [Decimal("-33.33"), Decimal("-33.33"), Decimal("-33.34")]


def test_all_zero_weights_share_nothing() -> None:
    assert share_pot(Decimal("50.00"), [Decimal(0), Decimal(0)]) == [Decimal("0.00"), Decimal("0.00")]


@given(
    st.decimals(min_value=-10**8, max_value=10**8, places=2, allow_nan=False, allow_infinity=False),
    st.lists(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False, allow_infinity=False),
             min_size=1, max_size=40),
)
def test_shares_always_add_up_to_the_pot(pot: Decimal, weights: list[Decimal]) -> None:
    shares = share_pot(pot, weights)
    if sum(weights) == 0:
        assert all(s == 0 for s in shares)
    else:
        assert sum(shares) == money(pot)
        # No share is more than a penny from its exact quota.
        total = sum(weights)
        for share, weight in zip(shares, weights, strict=True):
            assert abs(share - money(pot) * weight / total) < Decimal("0.01")
