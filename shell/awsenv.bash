# awsenv hook for bash. Load it from ~/.bashrc with:
#   eval "$(awsenv init bash)"
# It defines the function `awsenv`: `awsenv use` and `awsenv clear` change this shell's
# variables; every other subcommand runs the binary as it is. Safe to load twice.

__awsenv_bin=@AWSENV_BIN@
# The variables as they were before the first `awsenv use` in this shell (kept on reload).
__awsenv_saved=${__awsenv_saved-}

awsenv() {
  \builtin local __awsenv_code
  case "${1-}" in
  use | clear)
    # The binary prints shell code only when it succeeds, as one block: evaluate it only then.
    __awsenv_code=$(AWSENV_SHELL=bash AWSENV_SAVED=${__awsenv_saved-} "$__awsenv_bin" "$@") ||
      \builtin return
    \builtin eval -- "$__awsenv_code"
    ;;
  *)
    AWSENV_SHELL=bash "$__awsenv_bin" "$@"
    ;;
  esac
}
