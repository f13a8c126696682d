package io.paystream.sinks;

import org.apache.kafka.connect.connector.Task;

/** PayStream's the payments sink: payments.events.v1 into payments. */
public final class PaymentEventSinkConnector extends PostgresSinkConnector {
    @Override
    public Class<? extends Task> taskClass() {
        return PaymentEventSinkTask.class;
    }
}
