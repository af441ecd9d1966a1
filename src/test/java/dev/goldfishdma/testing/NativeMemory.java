package dev.goldfishdma.testing;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Native memory of this JVM as Native Memory Tracking counts it ({@code -XX:NativeMemoryTracking=summary},
 * which the build sets for tests). FFM's off-heap allocations are counted in the category "Other".
 */
public final class NativeMemory {
    private static final Pattern OTHER = Pattern.compile("-\\s+Other \\(reserved=(\\d+)KB, committed=(\\d+)KB\\)");

    private NativeMemory() {
    }

    /** Whether Native Memory Tracking is on in this JVM. */
    public static boolean tracked() {
        return !summary().contains("not enabled");
    }

    /** The JVM's Native Memory Tracking summary. */
    public static String summary() {
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            ObjectName name = new ObjectName("com.sun.management:type=DiagnosticCommand");
            return (String) server.invoke(name, "vmNativeMemory", new Object[] {new String[] {"summary"}},
                    new String[] {String[].class.getName()});
        } catch (Exception e) {
            throw new IllegalStateException("cannot read the native memory summary", e);
        }
    }

    /** Committed kilobytes in the category "Other" (malloc'ed off-heap memory, e.g. arenas); 0 when none. */
    public static long otherCommittedKb() {
        Matcher m = OTHER.matcher(summary());
        return m.find() ? Long.parseLong(m.group(2)) : 0;
    }
}
