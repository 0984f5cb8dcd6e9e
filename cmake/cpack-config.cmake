# Read by cpack once per generator (CPACK_PROJECT_CONFIG_FILE). The .deb
# installs the Runtime component only: the libraries bundled for the tarball
# come from Debian's own packages there (CPACK_DEBIAN_PACKAGE_DEPENDS).
if(CPACK_GENERATOR STREQUAL "DEB")
  string(REPLACE ";ALL;" ";Runtime;" CPACK_INSTALL_CMAKE_PROJECTS "${CPACK_INSTALL_CMAKE_PROJECTS}")
endif()
