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
            # then. A pipe into `read`, not a command substitution, so that the caller's
            # redirections (`awsenv use x 2>/dev/null`) apply to the binary too.
            AWSENV_SHELL=fish AWSENV_SAVED=$__awsenv_saved $__awsenv_bin $argv | read -lz __awsenv_code
            set -l __awsenv_status $pipestatus[1]
            test $__awsenv_status -eq 0; or return $__awsenv_status
            printf '%s' $__awsenv_code | source
            # fish's `set` keeps the previous status (a `set -q` that found nothing): the
            # binary's success is what counts.
            return 0
        case '*'
            AWSENV_SHELL=fish $__awsenv_bin $argv
    end
end
