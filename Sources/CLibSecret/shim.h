/* secret-paths.h (reading an item's secret by its D-Bus path, without an item proxy) is behind
 * this acknowledgement; it has been unchanged since libsecret 0.18. */
#define SECRET_API_SUBJECT_TO_CHANGE 1
#include <libsecret/secret.h>
