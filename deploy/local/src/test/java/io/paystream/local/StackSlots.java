package io.paystream.local;

/**
 * How the integration tests of this module share the machine. JUnit runs two test classes at once (the failsafe
 * configuration in this module's pom): a class that only needs its stack to answer (the in-process stacks, the
 * launcher with its agent) takes {@link #MACHINE} in READ mode and may run beside another such class; a class that
 * kills processes and times how the stack recovers (the chaos runs) takes it in READ_WRITE mode and runs alone, so
 * that no fault scenario is timed against a neighbour's load.
 */
public final class StackSlots {
    /** The lock every integration test class of this module names. */
    public static final String MACHINE = "paystream.machine";

    private StackSlots() {
    }
}
