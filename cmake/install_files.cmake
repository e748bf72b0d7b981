# Configuration, nginx site, player page and systemd unit (binaries and
# plugins are installed where they are built).

# The example is always installed; hlsfs.yaml itself only when there is none,
# so an upgrade never overwrites the operator's file (mode 0640: it may get
# the signing secret).
install(FILES etc/hlsfs.yaml DESTINATION ${HLSFS_CONF_DIR} RENAME hlsfs.yaml.example)
install(CODE "
  set(conf \"\$ENV{DESTDIR}${HLSFS_CONF_DIR}/hlsfs.yaml\")
  if(NOT EXISTS \"\${conf}\")
    message(STATUS \"Installing: \${conf}\")
    file(COPY \"${CMAKE_SOURCE_DIR}/etc/hlsfs.yaml\" DESTINATION \"\$ENV{DESTDIR}${HLSFS_CONF_DIR}\"
         FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  else()
    message(STATUS \"Keeping: \${conf} (see hlsfs.yaml.example)\")
  endif()")

install(FILES etc/nginx/hlsfs.conf DESTINATION ${CMAKE_INSTALL_DATADIR}/hlsfs/nginx)
install(FILES etc/player/index.html DESTINATION ${CMAKE_INSTALL_DATADIR}/hlsfs/player)
# hls.js comes from npm (tests/browser, scripts/deps.sh); installed when present.
set(HLSFS_HLS_JS ${CMAKE_SOURCE_DIR}/tests/browser/node_modules/hls.js/dist/hls.min.js)
install(FILES ${HLSFS_HLS_JS} DESTINATION ${CMAKE_INSTALL_DATADIR}/hlsfs/player OPTIONAL)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
# Monitoring examples: a Grafana dashboard and Prometheus alert rules.
install(FILES etc/grafana-hlsfs.json etc/prometheus-alerts.yml DESTINATION ${CMAKE_INSTALL_DATADIR}/hlsfs/monitoring)

# The unit names /usr/local/bin and /etc/hlsfs: rewritten for this prefix.
file(READ ${CMAKE_SOURCE_DIR}/systemd/hlsfsd.service unit)
string(REPLACE "/usr/local/bin/" "${CMAKE_INSTALL_FULL_BINDIR}/" unit "${unit}")
string(REPLACE "/etc/hlsfs/" "${HLSFS_CONF_DIR}/" unit "${unit}")
file(WRITE ${CMAKE_BINARY_DIR}/hlsfsd.service "${unit}")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/systemd/hlsfsd.service)
install(FILES ${CMAKE_BINARY_DIR}/hlsfsd.service DESTINATION lib/systemd/system)
# Its user: systemd-sysusers makes it now when installing on this machine
# (not when staging with DESTDIR), at boot otherwise; the .deb's postinst too.
install(FILES systemd/hlsfs.sysusers DESTINATION lib/sysusers.d RENAME hlsfs.conf)
install(CODE "
  find_program(sysusers systemd-sysusers)
  if(\"\$ENV{DESTDIR}\" STREQUAL \"\" AND sysusers)
    execute_process(COMMAND \${sysusers} \"${CMAKE_INSTALL_PREFIX}/lib/sysusers.d/hlsfs.conf\")
  endif()")
