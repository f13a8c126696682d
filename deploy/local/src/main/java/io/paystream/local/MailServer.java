package io.paystream.local;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The local stack's SMTP server (GreenMail, in the launcher's JVM, on loopback): it accepts every message the email
 * sink sends and writes each one under {@code .paystream/mail/} as an {@code .eml} file that any mail client opens.
 */
public final class MailServer implements AutoCloseable {
    private final GreenMail greenMail;
    private final Path directory;
    private final ScheduledExecutorService writer = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "mail-writer");
        thread.setDaemon(true);
        return thread;
    });
    /** Files in the directory, so that names keep counting up across restarts. */
    private int written;
    /** Messages of this run already written. */
    private int seen;

    private MailServer(GreenMail greenMail, Path directory) {
        this.greenMail = greenMail;
        this.directory = directory;
    }

    /** Starts SMTP on 127.0.0.1:{@code port}, writing messages into {@code directory}. */
    public static MailServer start(int port, Path directory) throws IOException {
        Files.createDirectories(directory);
        GreenMail greenMail = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        greenMail.start();
        MailServer server = new MailServer(greenMail, directory);
        try (var existing = Files.list(directory)) {
            server.written = (int) existing.filter(file -> file.toString().endsWith(".eml")).count();
        }
        var unused = server.writer.scheduleWithFixedDelay(server::writeNew, 200, 200, TimeUnit.MILLISECONDS);
        return server;
    }

    /** Every message received since this server started. */
    public MimeMessage[] received() {
        return greenMail.getReceivedMessages();
    }

    private synchronized void writeNew() {
        MimeMessage[] messages = greenMail.getReceivedMessages();
        for (; seen < messages.length; seen++) {
            try {
                write(messages[seen]);
            } catch (IOException | MessagingException e) {
                System.err.println("paystream: cannot write a received email under " + directory + ": " + e);
            }
        }
    }

    private void write(MimeMessage message) throws IOException, MessagingException {
        written++;
        String to = message.getAllRecipients() == null ? "unknown"
                : ((InternetAddress) message.getAllRecipients()[0]).getAddress();
        String subject = message.getSubject() == null ? "" : message.getSubject();
        String name = String.format(Locale.ROOT, "%05d-%s-%s.eml", written, slug(to), slug(subject));
        try (OutputStream out = Files.newOutputStream(directory.resolve(name))) {
            message.writeTo(out);
        }
    }

    private static String slug(String text) {
        String slug = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9@.]+", "-").replaceAll("(^-|-$)", "");
        return slug.length() > 60 ? slug.substring(0, 60) : slug;
    }

    @Override
    public void close() {
        writer.shutdown();
        try {
            writer.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writeNew();
        greenMail.stop();
    }
}
