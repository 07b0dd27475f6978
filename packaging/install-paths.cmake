# Installs the files that name installed paths (the systemd units, the nightly wrapper, the
# cron example), with /usr replaced by the prefix they are installed under: the package's /usr,
# or what 'cmake --install --prefix' says. Run at install time (install(SCRIPT)), when
# CMAKE_INSTALL_PREFIX is final; packaging/CMakeLists.txt sets the SR_* variables before.
set(prefix "${CMAKE_INSTALL_PREFIX}")
function(sr_install_with_paths source destination mode)
  file(READ "${SR_SOURCE_DIR}/${source}" text)
  string(REPLACE "/usr/bin/smartroute" "${prefix}/${SR_BINDIR}/smartroute" text "${text}")
  string(REPLACE "/usr/lib/smartroute/" "${prefix}/lib/smartroute/" text "${text}")
  get_filename_component(name "${source}" NAME)
  # Per destination: 'cpack' and 'cmake --install --prefix' may run at once in one build tree.
  string(MD5 tag "$ENV{DESTDIR}${prefix}")
  set(staged "${SR_BINARY_DIR}/with-paths/${tag}/${name}")
  file(WRITE "${staged}" "${text}")
  file(INSTALL "${staged}" DESTINATION "${prefix}/${destination}" FILE_PERMISSIONS ${mode})
endfunction()

set(rw_r_r OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
set(rwx_rx_rx OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ
              WORLD_EXECUTE)
foreach(unit smartroute-agi.service smartroute-nightly.service smartroute-nightly.timer)
  sr_install_with_paths(packaging/systemd/${unit} "${SR_UNITDIR}" "${rw_r_r}")
endforeach()
sr_install_with_paths(packaging/smartroute-nightly lib/smartroute "${rwx_rx_rx}")
sr_install_with_paths(packaging/cron/smartroute "${SR_DOCDIR}/examples/cron" "${rw_r_r}")
