package io.paystream.processor.core;

import io.paystream.schemas.avro.AcquirerRequest;
import io.paystream.schemas.avro.AuditRecord;
import io.paystream.schemas.avro.BalanceEvent;
import io.paystream.schemas.avro.LedgerCommand;
import io.paystream.schemas.avro.Notification;
import io.paystream.schemas.avro.PaymentEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * The records a rule decided to emit, grouped by destination. Rules return them; processors forward them, each to its
 * topic, keyed as the topic says (events by paymentId, everything else by accountId).
 *
 * @param events payment lifecycle events
 * @param audits journal entries
 * @param legs ledger commands for the next step of a payment
 * @param notifications messages for account holders
 * @param charges card charges for the acquirer connector (keyed by paymentId)
 * @param balanceEvents balance events (a monitor's threshold crossed)
 */
public record Emissions(
        List<PaymentEvent> events,
        List<AuditRecord> audits,
        List<LedgerCommand> legs,
        List<Notification> notifications,
        List<AcquirerRequest> charges,
        List<BalanceEvent> balanceEvents) {

    private static final Emissions NONE = new Emissions(List.of(), List.of(), List.of(), List.of(), List.of(),
            List.of());

    public Emissions {
        events = List.copyOf(events);
        audits = List.copyOf(audits);
        legs = List.copyOf(legs);
        notifications = List.copyOf(notifications);
        charges = List.copyOf(charges);
        balanceEvents = List.copyOf(balanceEvents);
    }

    /** Nothing to emit. */
    public static Emissions none() {
        return NONE;
    }

    /** A fresh builder. */
    public static Builder builder() {
        return new Builder();
    }

    /** The same emissions without the legs, for a processor that sends its legs on by itself. */
    public Emissions withoutLegs() {
        return legs.isEmpty() ? this : new Emissions(events, audits, List.of(), notifications, charges, balanceEvents);
    }

    /** The same emissions with {@code events} in place of the events. */
    public Emissions withEvents(List<PaymentEvent> replaced) {
        return new Emissions(replaced, audits, legs, notifications, charges, balanceEvents);
    }

    /** The same emissions with {@code replaced} in place of the journal entries. */
    public Emissions withAudits(List<AuditRecord> replaced) {
        return new Emissions(events, replaced, legs, notifications, charges, balanceEvents);
    }

    /** The same emissions with {@code replaced} in place of the journal entries, and {@code added} balance events. */
    public Emissions withAudits(List<AuditRecord> replaced, List<BalanceEvent> added) {
        if (added.isEmpty()) {
            return withAudits(replaced);
        }
        List<BalanceEvent> all = new ArrayList<>(balanceEvents);
        all.addAll(added);
        return new Emissions(events, replaced, legs, notifications, charges, all);
    }

    /** True when there is nothing to emit. */
    public boolean isEmpty() {
        return events.isEmpty() && audits.isEmpty() && legs.isEmpty() && notifications.isEmpty()
                && charges.isEmpty() && balanceEvents.isEmpty();
    }

    /** Collects emissions in order. Not thread-safe; use it within one rule evaluation. */
    public static final class Builder {
        private final List<PaymentEvent> events = new ArrayList<>();
        private final List<AuditRecord> audits = new ArrayList<>();
        private final List<LedgerCommand> legs = new ArrayList<>();
        private final List<Notification> notifications = new ArrayList<>();
        private final List<AcquirerRequest> charges = new ArrayList<>();
        private final List<BalanceEvent> balanceEvents = new ArrayList<>();

        private Builder() {
        }

        public Builder event(PaymentEvent event) {
            events.add(event);
            return this;
        }

        public Builder audit(AuditRecord audit) {
            audits.add(audit);
            return this;
        }

        public Builder leg(LedgerCommand leg) {
            legs.add(leg);
            return this;
        }

        public Builder notification(Notification notification) {
            notifications.add(notification);
            return this;
        }

        public Builder charge(AcquirerRequest charge) {
            charges.add(charge);
            return this;
        }

        /** Appends everything {@code other} emits, after what this builder holds. */
        public Builder addAll(Emissions other) {
            events.addAll(other.events());
            audits.addAll(other.audits());
            legs.addAll(other.legs());
            notifications.addAll(other.notifications());
            charges.addAll(other.charges());
            balanceEvents.addAll(other.balanceEvents());
            return this;
        }

        public Emissions build() {
            return new Emissions(events, audits, legs, notifications, charges, balanceEvents);
        }
    }
}
