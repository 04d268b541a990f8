# awsenv hook for fish. Load it from ~/.config/fish/config.fish with:
#   awsenv init fish | source
# It defines the function `awsenv`: `awsenv use` and `awsenv clear` change this shell's
# variables; every other subcommand runs the binary as it is. Before each prompt it keeps the
# prompt segment in AWSENV_PROMPT (print it from fish_prompt) and refreshes credentials that
# are about to expire, without a fork unless a refresh is due. Safe to load twice.

set -g __awsenv_bin @AWSENV_BIN@
# The variables as they were before the first `awsenv use` in this shell (kept on reload).
set -q __awsenv_saved; or set -g __awsenv_saved ''
# The profile this shell used before the current one, for `awsenv use -` (kept on reload).
set -q __awsenv_previous; or set -g __awsenv_previous ''
# The prompt segment: a shell variable, not exported.
set -q AWSENV_PROMPT; or set -g AWSENV_PROMPT ''
# Automatic refresh: no attempt before this time (Unix seconds), and the session (profile and
# expiry) whose failure was already reported, so the hint is printed once, not on every prompt.
string match -qr '^[0-9]+$' -- "$__awsenv_retry_at"; or set -g __awsenv_retry_at 0
set -q __awsenv_hinted; or set -g __awsenv_hinted ''
# What the segment was computed from: a prompt where none of it changed reuses AWSENV_PROMPT.
set -g __awsenv_segment_for ''

# Runs the binary for `use`/`clear`. It prints shell code only when it succeeds, as one block:
# evaluate it only then. A pipe into `read`, not a command substitution, so that the caller's
# redirections (`awsenv use x 2>/dev/null`) apply to the binary too.
function __awsenv_apply
    AWSENV_SHELL=fish AWSENV_SAVED=$__awsenv_saved AWSENV_PREVIOUS=$__awsenv_previous \
        $__awsenv_bin $argv | read -lz __awsenv_code
    set -l __awsenv_status $pipestatus[1]
    test $__awsenv_status -eq 0; or return $__awsenv_status
    printf '%s' $__awsenv_code | source
    # fish's `set` keeps the previous status (a `set -q` that found nothing): the binary's
    # success is what counts.
    return 0
end

function awsenv --description 'Switch AWS profiles in this shell'
    switch "$argv[1]"
        case use clear
            __awsenv_apply $argv
        case '*'
            AWSENV_SHELL=fish $__awsenv_bin $argv
    end
end

# The clock. fish has no variable for it, and `date` is a fork: read the time since boot from
# /proc/uptime (a builtin redirection, no fork) and add the boot time from /proc/stat, read
# once. Without /proc, `date +%s`.
function __awsenv_now
    if not set -q __awsenv_boot_time[1]
        set -g __awsenv_boot_time (string match -rg '^btime ([0-9]+)$' </proc/stat 2>/dev/null)
        set -q __awsenv_boot_time[1]; or set -g __awsenv_boot_time none
    end
    if test "$__awsenv_boot_time" != none; and read -l uptime _ </proc/uptime 2>/dev/null
        math "$__awsenv_boot_time + floor($uptime)"
    else
        command date +%s
    end
end

# A duration as the prompt shows it: 2h05m, 42m, 59s.
function __awsenv_duration -a seconds
    if test $seconds -ge 3600
        printf '%dh%02dm' (math "floor($seconds / 3600)") (math "floor($seconds % 3600 / 60)")
    else if test $seconds -ge 60
        printf '%dm' (math "floor($seconds / 60)")
    else
        printf '%ds' $seconds
    end
end

# When the credentials enter their refresh window, get new ones through `awsenv use`, which
# never asks anything with --non-interactive (exit 3: it would need an MFA code or a login).
# On failure the variables stay, the prompt shows the mark, one line says what to do, and the
# next attempt waits a minute.
function __awsenv_refresh -a now
    set -l profile "$AWSENV_PROFILE"
    test "$AWSENV_AUTO_REFRESH" != 0 -a -n "$profile"; or return 0
    string match -qr '^[0-9]{1,18}$' -- "$AWSENV_REFRESH_AT"; or return 0
    test $now -ge $AWSENV_REFRESH_AT -a $now -ge $__awsenv_retry_at; or return 0
    set -g __awsenv_retry_at (math $now + 60)
    set -l session "$profile $AWSENV_EXPIRES"
    set -l args use $profile --non-interactive
    test -n "$AWS_REGION"; and set -a args --region $AWS_REGION
    # A session made with --duration is renewed with the same length.
    test -n "$AWSENV_DURATION"; and set -a args --duration $AWSENV_DURATION
    __awsenv_apply $args 2>/dev/null
    set -l code $status
    test $code -ne 0 -a "$__awsenv_hinted" != "$session"; or return 0
    set -g __awsenv_hinted $session
    set -l shown (string replace -ra '[\x00-\x1f\x7f-\x9f\x{61c}\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}]' '?' -- $profile)
    set -l when 'have expired'
    if string match -qr '^[0-9]{1,18}$' -- "$AWSENV_EXPIRES"; and test $AWSENV_EXPIRES -gt $now
        set when "expire in "(__awsenv_duration (math $AWSENV_EXPIRES - $now))
    end
    set -l command "awsenv use "(string escape -- $shown)
    if test $code -eq 3
        printf 'awsenv: the credentials of %s %s; refreshing them needs you: run `%s`\n' \
            $shown $when $command >&2
    else
        printf 'awsenv: the credentials of %s %s and could not be refreshed: `%s` says why\n' \
            $shown $when $command >&2
    end
    return 0
end

# AWSENV_PROMPT from the exported AWSENV_* variables and the clock. The rules (the same as
# `awsenv prompt`, see PromptSegment.swift): words of AWSENV_PROMPT_FORMAT with %p profile,
# %i identity, %r region, %t time left, %% percent; a word whose placeholders are all empty is
# left out.
function __awsenv_segment -a now
    set -l profile "$AWSENV_PROFILE"
    if test -z "$profile"
        set -g AWSENV_PROMPT ''
        set -g __awsenv_segment_for ''
        return 0
    end
    set -l identity "$AWSENV_IDENTITY"
    set -l region "$AWS_REGION"
    test -n "$region"; or set region "$AWS_DEFAULT_REGION"
    set -l color 1
    test -z "$NO_COLOR" -a "$TERM" != dumb; or set color 0
    set -l left ''
    if string match -qr '^[0-9]{1,18}$' -- "$AWSENV_EXPIRES"
        set -l seconds (math $AWSENV_EXPIRES - $now)
        if test $seconds -le 0
            set left expired
            test $color = 0; or set left \e'[31mexpired'\e'[39m'
        else
            set left (__awsenv_duration $seconds)
            if string match -qr '^[0-9]{1,18}$' -- "$AWSENV_REFRESH_AT"
                and test $now -ge $AWSENV_REFRESH_AT
                if test $color = 1
                    set left \e'[33m'$left\e'[39m'
                else
                    set left "$left!"
                end
            end
        end
    end
    set -l format "$AWSENV_PROMPT_FORMAT"
    test -n "$format"; or set format 'aws:%p (%i) %r %t'
    # The time left (with its mark) is the only input that changes by itself, once a minute.
    set -l inputs "$profile"\n"$identity"\n"$region"\n"$left"\n"$format"
    test "$inputs" != "$__awsenv_segment_for"; or return 0
    set -g __awsenv_segment_for $inputs
    set profile (string replace -ra '[\x00-\x1f\x7f-\x9f\x{61c}\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}]' '?' -- $profile)
    set identity (string replace -ra '[\x00-\x1f\x7f-\x9f\x{61c}\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}]' '?' -- $identity)
    set region (string replace -ra '[\x00-\x1f\x7f-\x9f\x{61c}\x{200e}\x{200f}\x{202a}-\x{202e}\x{2066}-\x{2069}]' '?' -- $region)

    set -l words
    for word in (string split ' ' -- $format)
        set -l expanded ''
        set -l placeholders 0
        set -l filled 0
        set -l percent 0
        for character in (string split '' -- $word)
            if test $percent = 0
                if test "$character" = %
                    set percent 1
                else
                    set expanded "$expanded$character"
                end
                continue
            end
            set percent 0
            set -l value
            switch $character
                case p
                    set value $profile
                case i
                    set value $identity
                case r
                    set value $region
                case t
                    set value $left
                case %
                    set expanded "$expanded%"
                    continue
                case '*'
                    set expanded "$expanded%$character"
                    continue
            end
            set placeholders (math $placeholders + 1)
            test -z "$value"; or set filled (math $filled + 1)
            set expanded "$expanded$value"
        end
        test $percent = 0; or set expanded "$expanded%"
        if test $placeholders = 0 -o $filled -gt 0
            set -a words $expanded
        end
    end
    set -g AWSENV_PROMPT (string join ' ' -- $words)
end

# Runs before each prompt (event handlers keep $status for fish_prompt). Reads the clock only
# when the credentials expire.
function __awsenv_precmd --on-event fish_prompt
    if test -z "$AWSENV_PROFILE"
        set -g AWSENV_PROMPT ''
        set -g __awsenv_segment_for ''
        return
    end
    set -l now 0
    if set -q AWSENV_EXPIRES[1]; or set -q AWSENV_REFRESH_AT[1]
        set now (__awsenv_now)
    end
    __awsenv_refresh $now
    __awsenv_segment $now
end

# Completions, when nothing else provides them (no awsenv.fish in $fish_complete_path):
# generated by this binary, so they match it. Interactive shells only; one run at load.
if status is-interactive; and not set -q __awsenv_completions
    set -g __awsenv_completions generated
    for dir in $fish_complete_path
        if test -e $dir/awsenv.fish
            set __awsenv_completions installed
            break
        end
    end
    if test $__awsenv_completions = generated
        $__awsenv_bin --generate-completion-script fish 2>/dev/null | source
    end
end
