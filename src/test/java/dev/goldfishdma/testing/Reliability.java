package dev.goldfishdma.testing;

/**
 * The reliability tests' scale: quick by default (CI), long with {@code -Dgoldfish.reliability=soak}
 * ({@code mvn test -Dgoldfish.reliability=soak}).
 */
public final class Reliability {
    private Reliability() {
    }

    /** Whether the long soak run was asked for. */
    public static boolean soak() {
        return "soak".equals(System.getProperty("goldfish.reliability"));
    }

    /** {@code quick} normally, {@code soak} in the soak run. */
    public static int scale(int quick, int soak) {
        return soak() ? soak : quick;
    }

    /** Prints a figure for the README's reliability section, in one greppable form. */
    public static void report(String test, String figures) {
        System.out.println("[reliability] " + test + ": " + figures);
    }
}
