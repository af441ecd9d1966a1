package dev.goldfishdma.bench;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Platform;
import com.sun.jna.Pointer;

/**
 * The C calls through JNA, the binding most Java code used before FFM, in both of its styles. errno is read
 * with {@link Native#getLastError()}, which JNA saves after every call, so that the ENOTTY case costs no
 * exception, as with the library's {@code ioctlOrErrno}.
 */
final class JnaLibc {
    private JnaLibc() {
    }

    /** Direct mapping: {@code native} methods bound by {@link Native#register}, JNA's fast path. */
    static final class Direct {
        static {
            Native.register(NativeLibrary.getInstance(Platform.C_LIBRARY_NAME));
        }

        private Direct() {
        }

        static native int ioctl(int fd, long request, Pointer arg);
    }

    /** Interface mapping: a proxy that boxes the arguments of every call. */
    interface Interface extends Library {
        Interface C = Native.load(Platform.C_LIBRARY_NAME, Interface.class);

        int ioctl(int fd, long request, Pointer arg);
    }
}
