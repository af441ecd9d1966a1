package dev.goldfishdma.testing;

import dev.goldfishdma.emulator.EmulatorRequirements;
import dev.goldfishdma.emulator.fuse.FuseMount;
import dev.goldfishdma.libc.Libc;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Tests that need something the machine may lack (a FUSE mount, strace) call {@link #require}: without it
 * they are skipped with the reason in the test report, unless {@code -Dgoldfish.requireCapabilities=true}
 * (set by CI), in which case the missing capability is a failure.
 */
public final class Capabilities {
    private Capabilities() {
    }

    /** Skips (or, under CI, fails) the calling test unless {@code available}. */
    public static void require(boolean available, String reason) {
        if (available) {
            return;
        }
        if (Boolean.getBoolean("goldfish.requireCapabilities")) {
            fail("required capability missing (goldfish.requireCapabilities=true): " + reason);
        }
        Assumptions.abort(reason);
    }

    /**
     * Skips (or, under CI, fails) the calling test unless this machine can run the emulated device: the one
     * check of that, {@link EmulatorRequirements#unmet()}, which the JUnit extension applies too. The first
     * call that finds it possible says on the console which way the tests will mount: mount(2) (root, or
     * root of a user namespace) or fusermount3 (an ordinary user).
     */
    public static void requireFuseMount() {
        EmulatorRequirements.unmet().ifPresent(reason -> require(false, reason));
        if (!MOUNT_WAY_SHOWN.getAndSet(true)) {
            System.err.println("Emulated device: mounting as uid " + Libc.getuid()
                    + (FuseMount.inUserNamespace() ? " in a user namespace" : "") + " with "
                    + FuseMount.expectedMethod());
        }
    }

    private static final AtomicBoolean MOUNT_WAY_SHOWN = new AtomicBoolean();

    /** Whether this process has capability number {@code capability} ({@code CAP_*}) in its effective set. */
    public static boolean hasCapability(int capability) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring("CapEff:".length()).trim(), 16);
                    return (caps & (1L << capability)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            return false;
        }
        return false;
    }

    /** Whether {@code uid} exists in this process's user namespace ({@code /proc/self/uid_map}). */
    public static boolean uidMapped(long uid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/uid_map"))) {
                String[] fields = line.trim().split("\\s+");
                long first = Long.parseLong(fields[0]);
                long count = Long.parseLong(fields[2]);
                if (uid >= first && uid - first < count) {
                    return true;
                }
            }
        } catch (IOException | RuntimeException e) {
            return false;
        }
        return false;
    }

    /** The running kernel's release, e.g. {@code 6.18.4}. */
    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).trim();
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Whether the running kernel is at least {@code major.minor}. */
    public static boolean kernelAtLeast(int major, int minor) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\d+)\\.(\\d+)").matcher(kernelRelease());
        if (!m.find()) {
            return false;
        }
        int haveMajor = Integer.parseInt(m.group(1));
        return haveMajor > major || haveMajor == major && Integer.parseInt(m.group(2)) >= minor;
    }

    /** The absolute path of {@code program} on PATH, or null. */
    public static Path onPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return null;
        }
        for (String dir : path.split(":")) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The command that starts a JVM like this one, with this one's class path and native access. */
    public static List<String> javaCommand(String mainClass, String... args) {
        String java = ProcessHandle.current().info().command().orElse(Path.of(System.getProperty("java.home"),
                "bin", "java").toString());
        List<String> command = new java.util.ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED",
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /** Runs {@code command} to completion and returns its combined output; fails the test on a time-out. */
    public static String run(List<String> command, long timeoutSeconds) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("timed out after " + timeoutSeconds + " s: " + command);
        }
        return new String(out, java.nio.charset.StandardCharsets.UTF_8);
    }
}
