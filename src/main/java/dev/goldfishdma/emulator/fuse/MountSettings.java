package dev.goldfishdma.emulator.fuse;

/**
 * Who may use the mount and where it may go, as {@link FuseMount} and {@link NodeNamespace} apply it.
 *
 * <p>Always: {@code default_permissions} (the kernel checks the nodes' owner and mode itself) and nodes owned
 * by the emulator's own uid and gid. Without {@code allowOther} the kernel lets no process of another user
 * reach the mount at all, root included (fs/fuse/dir.c, fuse_allow_current_process: the caller's uids and
 * gids must all be the mounter's), and the nodes are owner-only (directory 0700, device 0600). With it, every
 * user may reach the mount: the directory is 0755 and the device 0666, so that anyone can open pipes and
 * create regions; regions stay private to the uid that made them (the {@code dma} service and every host
 * lookup resolve only the caller's own), and the status file, which lists every pipe and region, stays
 * owner-only (0400).
 *
 * @param allowOther whether other users may use the device ({@code allow_other}); through fusermount3 an
 *                   ordinary user needs {@code user_allow_other} in {@code /etc/fuse.conf} for it
 * @param nonEmpty   whether to mount over a directory that is not empty, hiding what it holds
 */
public record MountSettings(boolean allowOther, boolean nonEmpty) {
    /** The defaults: the emulator's own user only, and an empty directory only. */
    public static final MountSettings DEFAULTS = new MountSettings(false, false);
}
