package io.paystream.schemas;

import static org.assertj.core.api.Assertions.assertThat;

import io.paystream.schemas.avro.AuditKind;
import io.paystream.schemas.avro.AuditRecord;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JournalChainTest {
    /** Five linked movements of one account: +100, -30, +100, -30, +100. */
    private static List<JournalChain.Entry> chain() {
        List<JournalChain.Entry> entries = new ArrayList<>();
        String head = null;
        long balance = 0;
        for (int seq = 1; seq <= 5; seq++) {
            long amount = seq % 2 == 0 ? -30 : 100;
            balance += amount;
            AuditRecord movement = JournalChain.link(AuditRecord.newBuilder()
                    .setAuditId("p" + seq).setKind(amount < 0 ? AuditKind.DEBIT : AuditKind.CREDIT)
                    .setAccountId("alice").setPaymentId("payment-" + seq).setAmount(amount).setCurrency("USD")
                    .setBalanceAfter(balance).setEntrySeq((long) seq).setCreatedAtMs(1_700_000_000_000L + seq)
                    .build(), head);
            head = movement.getHash();
            entries.add(JournalChain.Entry.of(movement));
        }
        return entries;
    }

    private static JournalChain.Entry withAmount(JournalChain.Entry e, long amount) {
        return new JournalChain.Entry(e.accountId(), e.entrySeq(), e.kind(), e.paymentId(), amount, e.currency(),
                e.balanceAfter(), e.createdAtMs(), e.actionId(), e.prevHash(), e.hash());
    }

    private static JournalChain.Entry withSeq(JournalChain.Entry e, long seq) {
        return new JournalChain.Entry(e.accountId(), seq, e.kind(), e.paymentId(), e.amount(), e.currency(),
                e.balanceAfter(), e.createdAtMs(), e.actionId(), e.prevHash(), e.hash());
    }

    @Test
    void anIntactChainVerifiesAndStartsFromGenesis() {
        List<JournalChain.Entry> entries = chain();

        assertThat(JournalChain.firstBreak(entries)).isEmpty();
        assertThat(entries.get(0).prevHash()).isEqualTo(JournalChain.GENESIS);
        assertThat(entries.get(1).prevHash()).isEqualTo(entries.get(0).hash());
        assertThat(entries.get(4).hash()).hasSize(64).isNotEqualTo(entries.get(3).hash());
    }

    @Test
    void aChangedAmountIsFoundAtItsEntry() {
        List<JournalChain.Entry> entries = chain();
        entries.set(2, withAmount(entries.get(2), 1_000));

        assertThat(JournalChain.firstBreak(entries)).hasValueSatisfying(found -> assertThat(found)
                .startsWith("account alice entry 3 (payment payment-3, CREDIT)").contains("fields were changed"));
    }

    @Test
    void aChangedEntryWhoseHashWasRecomputedBreaksTheNextLink() {
        List<JournalChain.Entry> entries = chain();
        JournalChain.Entry forged = withAmount(entries.get(2), 1_000);
        String forgedHash = JournalChain.hash(forged, forged.prevHash());
        entries.set(2, new JournalChain.Entry(forged.accountId(), forged.entrySeq(), forged.kind(), forged.paymentId(),
                forged.amount(), forged.currency(), forged.balanceAfter(), forged.createdAtMs(), forged.actionId(),
                forged.prevHash(), forgedHash));

        assertThat(JournalChain.firstBreak(entries)).hasValueSatisfying(found -> assertThat(found)
                .startsWith("account alice entry 4").contains("names previous hash"));
    }

    @Test
    void aDeletedEntryIsFoundAsAGap() {
        List<JournalChain.Entry> entries = chain();
        entries.remove(1);

        assertThat(JournalChain.firstBreak(entries)).hasValueSatisfying(found -> assertThat(found)
                .startsWith("account alice entry 3").contains("entries 2 to 2 are missing or out of order"));
    }

    @Test
    void aDeletedFirstEntryIsFoundBecauseTheChainStartsFromGenesis() {
        List<JournalChain.Entry> entries = chain();
        entries.remove(0);

        assertThat(JournalChain.firstBreak(entries)).hasValueSatisfying(found -> assertThat(found)
                .startsWith("account alice entry 2").contains("an entry before it is missing"));
    }

    @Test
    void entriesFromBeforeTheChainMayComeFirstButNotAfterIt() {
        List<JournalChain.Entry> entries = chain();
        JournalChain.Entry old = new JournalChain.Entry("alice", 0, "CREDIT", "payment-0", 5, "USD", 5, 1L, null,
                null, null);
        List<JournalChain.Entry> withOld = new ArrayList<>(List.of(old));
        entries.forEach(e -> withOld.add(e));
        assertThat(JournalChain.firstBreak(withOld)).isEmpty();

        JournalChain.Entry third = entries.get(2);
        entries.set(2, new JournalChain.Entry(third.accountId(), third.entrySeq(), third.kind(), third.paymentId(),
                third.amount(), third.currency(), third.balanceAfter(), third.createdAtMs(), third.actionId(), null,
                null));
        assertThat(JournalChain.firstBreak(entries)).hasValueSatisfying(found -> assertThat(found)
                .startsWith("account alice entry 3").contains("carries no hash"));
    }

    @Test
    void twoEntriesSwappedAreFound() {
        List<JournalChain.Entry> entries = chain();
        JournalChain.Entry second = entries.get(1);
        JournalChain.Entry third = entries.get(2);
        entries.set(1, withSeq(third, 2));
        entries.set(2, withSeq(second, 3));

        assertThat(JournalChain.firstBreak(entries)).hasValueSatisfying(found -> assertThat(found)
                .startsWith("account alice entry 2"));
    }
}
