package io.paystream.local;

/**
 * How the integration tests of this module share the machine. JUnit runs two test classes at once (the failsafe
 * configuration in this module's pom): a class whose stack lives in the test's JVM (a broker and the apps in-process,
 * perhaps a Connect worker) takes {@link #MACHINE} in READ mode and may run beside another such class; a class that
 * starts a stack of separate JVMs and kills them (the chaos runs, the launcher with its agent) takes it in READ_WRITE
 * mode and runs alone, so that no fault scenario is timed against a neighbour's load.
 */
public final class StackSlots {
    /** The lock every integration test class of this module names. */
    public static final String MACHINE = "paystream.machine";

    private StackSlots() {
    }
}
