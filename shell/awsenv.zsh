# awsenv hook for zsh. Load it from ~/.zshrc with:
#   eval "$(awsenv init zsh)"
# It defines the function `awsenv`: `awsenv use` and `awsenv clear` change this shell's
# variables; every other subcommand runs the binary as it is. Safe to load twice.

typeset -g __awsenv_bin=@AWSENV_BIN@
# The variables as they were before the first `awsenv use` in this shell (kept on reload).
typeset -g __awsenv_saved=${__awsenv_saved-}

awsenv() {
  \builtin emulate -L zsh
  \builtin local __awsenv_code
  case ${1-} in
  use | clear)
    # The binary prints shell code only when it succeeds, as one block: evaluate it only then.
    __awsenv_code=$(AWSENV_SHELL=zsh AWSENV_SAVED=$__awsenv_saved "$__awsenv_bin" "$@") ||
      \builtin return
    \builtin eval "$__awsenv_code"
    ;;
  *)
    AWSENV_SHELL=zsh "$__awsenv_bin" "$@"
    ;;
  esac
}
