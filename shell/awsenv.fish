# awsenv hook for fish. Load it from ~/.config/fish/config.fish with:
#   awsenv init fish | source
# It defines the function `awsenv`: `awsenv use` and `awsenv clear` change this shell's
# variables; every other subcommand runs the binary as it is. Safe to load twice.

set -g __awsenv_bin @AWSENV_BIN@
# The variables as they were before the first `awsenv use` in this shell (kept on reload).
set -q __awsenv_saved; or set -g __awsenv_saved ''

function awsenv --description 'Switch AWS profiles in this shell'
    switch "$argv[1]"
        case use clear
            # The binary prints shell code only when it succeeds, as one block: evaluate it only
            # then. Values never hold a raw newline (the escaper writes \n), so lines are safe.
            set -l __awsenv_code (AWSENV_SHELL=fish AWSENV_SAVED=$__awsenv_saved $__awsenv_bin $argv)
            or return
            string join \n -- $__awsenv_code | source
        case '*'
            AWSENV_SHELL=fish $__awsenv_bin $argv
    end
end
