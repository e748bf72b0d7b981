# `cpack -G DEB` in the build directory: hlsfs_<version>_<arch>.deb, prefix
# /usr (so /usr/bin/hlsfsd, /usr/lib/hlsfs/backends, /etc/hlsfs, the unit in
# /lib/systemd/system); dependencies from the shared libraries it links.
set(CPACK_PACKAGE_NAME hlsfs)
set(CPACK_PACKAGE_VENDOR "hlsfs")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "HLS playlists whose segments are transcoded when read (FUSE)")
set(CPACK_PACKAGE_CONTACT "hlsfs maintainers <hlsfs@localhost>")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "fuse3")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nginx")
set(CPACK_DEBIAN_PACKAGE_SECTION video)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
include(CPack)
