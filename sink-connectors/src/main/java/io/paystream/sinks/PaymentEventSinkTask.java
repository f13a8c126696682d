package io.paystream.sinks;

import io.paystream.schemas.avro.PaymentEvent;
import java.util.List;
import org.jdbi.v3.core.Handle;

/** Copies each payment's latest status from {@code payments.events.v1} into {@code payments}. */
public final class PaymentEventSinkTask extends PostgresSinkTask<PaymentEvent> {
    @Override
    String table() {
        return "payments";
    }

    @Override
    Class<PaymentEvent> valueType() {
        return PaymentEvent.class;
    }

    @Override
    int write(Handle handle, List<PaymentEvent> values) {
        PaymentsDao.upsert(handle, values);
        return values.size();
    }
}
