package io.paystream.schemas.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void eachCurrencyHasItsOwnMinorUnit() {
        assertThat(Money.minorUnits("USD")).isEqualTo(2);
        assertThat(Money.minorUnits("JPY")).isZero();
        assertThat(Money.minorUnits("KWD")).isEqualTo(3);
        assertThat(Money.minorUnits("BHD")).isEqualTo(3);
        assertThat(Money.minorUnitsOtherThanTwo()).doesNotContainValue(2)
                .allSatisfy((code, units) -> assertThat(Money.isCurrency(code)).as(code).isTrue());
    }

    @Test
    void agreesWithTheJdksIso4217DataForEveryCurrencyInCirculation() {
        for (java.util.Currency currency : java.util.Currency.getAvailableCurrencies()) {
            if (Money.isCurrency(currency.getCurrencyCode())) {
                assertThat(Money.minorUnits(currency.getCurrencyCode())).as(currency.getCurrencyCode())
                        .isEqualTo(currency.getDefaultFractionDigits());
            }
        }
    }

    @Test
    void aCodeOutOfCirculationHasNoMinorUnit() {
        assertThatThrownBy(() -> Money.minorUnits("DEM")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Money.minorUnits(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
