# `cpack -G DEB` in a build configured with -DCMAKE_INSTALL_PREFIX=/usr:
# hlsfs_<version>_<arch>.deb with /usr/bin/hlsfsd, /usr/lib/hlsfs/backends,
# /etc/hlsfs, the unit in /usr/lib/systemd/system; dependencies from the
# shared libraries it links (dpkg-shlibdeps).
set(CPACK_PACKAGE_NAME hlsfs)
set(CPACK_PACKAGE_VENDOR "hlsfs")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "HLS playlists whose segments are transcoded when read (FUSE)")
set(CPACK_PACKAGE_CONTACT "hlsfs maintainers <hlsfs@localhost>")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fuse3")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx")
set(CPACK_DEBIAN_PACKAGE_SECTION video)
# The package holds what `cmake --install` lays out for this build's prefix
# (paths in the unit and the default --config are fixed at configure time):
# configure with -DCMAKE_INSTALL_PREFIX=/usr for a Debian package.
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
# dpkg keeps the operator's edits of the configuration across upgrades.
file(WRITE ${CMAKE_BINARY_DIR}/deb/conffiles "${HLSFS_CONF_DIR}/hlsfs.yaml\n")
# postinst: the unit's user (lib/sysusers.d/hlsfs.conf) before its first start.
file(WRITE ${CMAKE_BINARY_DIR}/deb/postinst.in
     "#!/bin/sh\nset -e\nif [ \"$1\" = configure ] && command -v systemd-sysusers >/dev/null; then\n"
     "  systemd-sysusers hlsfs.conf\nfi\n")
file(COPY ${CMAKE_BINARY_DIR}/deb/postinst.in DESTINATION ${CMAKE_BINARY_DIR}/deb/x
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
file(RENAME ${CMAKE_BINARY_DIR}/deb/x/postinst.in ${CMAKE_BINARY_DIR}/deb/postinst)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_BINARY_DIR}/deb/conffiles ${CMAKE_BINARY_DIR}/deb/postinst)
include(CPack)
