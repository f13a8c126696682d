package io.paystream.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PrometheusTextTest {
    private static final String SCRAPE = """
            # HELP paystream_payments_total Payments that reached a terminal status
            # TYPE paystream_payments_total counter
            paystream_payments_total{currency="USD",status="COMPLETED",type="TRANSFER"} 3.0
            paystream_payments_total{currency="EUR",status="REJECTED",type="TRANSFER"} 2.0
            weird{path="a \\"quoted\\", value\\\\",le="+Inf"} 1.5 1700000000000
            process_uptime_seconds 12.5
            nan_gauge NaN
            """;

    @Test
    void readsNamesLabelsAndValues() {
        PrometheusText text = PrometheusText.parse(SCRAPE);
        assertThat(text.names()).containsExactly("nan_gauge", "paystream_payments_total", "process_uptime_seconds",
                "weird");
        assertThat(text.sum("paystream_payments_total")).isEqualTo(5.0);
        assertThat(text.sum("paystream_payments_total", Map.of("currency", "USD"))).isEqualTo(3.0);
        assertThat(text.sum("paystream_payments_total", Map.of("currency", "GBP"))).isZero();
        assertThat(text.samples()).filteredOn(s -> s.name().equals("weird")).singleElement()
                .satisfies(s -> {
                    assertThat(s.labels()).containsEntry("path", "a \"quoted\", value\\").containsEntry("le", "+Inf");
                    assertThat(s.value()).isEqualTo(1.5);
                });
        assertThat(text.sum("process_uptime_seconds")).isEqualTo(12.5);
    }

    @Test
    void refusesALineThatIsNotASample() {
        assertThatThrownBy(() -> PrometheusText.parse("just_a_name\n")).isInstanceOf(IllegalArgumentException.class);
    }
}
