package io.paystream.testing;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PromQlTest {
    @Test
    void findsTheSelectedMetricsAndNothingElse() {
        assertThat(PromQl.metricNames("""
                sum(rate(paystream_payments_total{status=~"REJECTED|REVERSED"}[5m]))
                  / sum by (currency) (rate(paystream_payments_total[5m])) > 0.05
                """)).containsExactly("paystream_payments_total");
        assertThat(PromQl.metricNames("histogram_quantile(0.95, sum by (le) (rate(x_seconds_bucket[$__rate_interval])))"))
                .containsExactly("x_seconds_bucket");
        assertThat(PromQl.metricNames("max by (job) (a_lag{job=\"p\"}) > 100 and deriv(max by (job) (a_lag)[10m:1m])"
                + " > 0 or on(instance) group_left(x) b_total offset 1h / 1e9 unless up == bool 0"))
                .containsExactly("a_lag", "b_total", "up");
        assertThat(PromQl.metricNames("sum(increase(c_total{l=\"a{b}\"}[$__range]))")).containsExactly("c_total");
    }
}
