# awsenv hook for bash. Load it from ~/.bashrc with:
#   eval "$(awsenv init bash)"
# It defines the function `awsenv`: `awsenv use` and `awsenv clear` change this shell's
# variables; every other subcommand runs the binary as it is. Before each prompt it keeps the
# prompt segment in AWSENV_PROMPT (put ${AWSENV_PROMPT:+$AWSENV_PROMPT } in PS1) and refreshes
# credentials that are about to expire, without a fork unless a refresh is due. Safe to load
# twice.

__awsenv_bin=@AWSENV_BIN@
# The variables as they were before the first `awsenv use` in this shell (kept on reload).
__awsenv_saved=${__awsenv_saved-}
# The profile this shell used before the current one, for `awsenv use -` (kept on reload).
__awsenv_previous=${__awsenv_previous-}
# The prompt segment: a shell variable, not exported.
AWSENV_PROMPT=${AWSENV_PROMPT-}
# Automatic refresh: no attempt before this time (Unix seconds), and the session (profile and
# expiry) whose failure was already reported, so the hint is printed once, not on every prompt.
__awsenv_retry_at=${__awsenv_retry_at-0}
case $__awsenv_retry_at in '' | *[!0-9]*) __awsenv_retry_at=0 ;; esac
__awsenv_hinted=${__awsenv_hinted-}
# What the segment was computed from: a prompt where none of it changed reuses AWSENV_PROMPT.
__awsenv_segment_for=

# Runs the binary for `use`/`clear`. It prints shell code only when it succeeds, as one block:
# evaluate it only then.
__awsenv_apply() {
  \builtin local __awsenv_code
  __awsenv_code=$(AWSENV_SHELL=bash AWSENV_SAVED=${__awsenv_saved-} \
    AWSENV_PREVIOUS=${__awsenv_previous-} "$__awsenv_bin" "$@") || \builtin return
  \builtin eval -- "$__awsenv_code"
}

awsenv() {
  case "${1-}" in
  use | clear)
    __awsenv_apply "$@"
    ;;
  *)
    AWSENV_SHELL=bash "$__awsenv_bin" "$@"
    ;;
  esac
}

# Replaces, in $1, what a terminal would act on with `?`, whatever the locale: C0 controls
# and DEL, the C1 controls U+0080-U+009F (U+009B is CSI on xterm) and the bidirectional
# controls U+061C, U+200E/F, U+202A-U+202E and U+2066-U+2069. They are matched as their UTF-8
# bytes under LC_ALL=C, since [[:cntrl:]] alone lets U+009B through in the C locale. Sets
# __awsenv_text; no fork.
__awsenv_printable() {
  \builtin local LC_ALL=C
  __awsenv_text=${1//[[:cntrl:]]/?}
  __awsenv_text=${__awsenv_text//$'\xc2'[$'\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f']/?}
  __awsenv_text=${__awsenv_text//$'\xd8\x9c'/?}
  __awsenv_text=${__awsenv_text//$'\xe2\x80'[$'\x8e\x8f\xaa\xab\xac\xad\xae']/?}
  __awsenv_text=${__awsenv_text//$'\xe2\x81'[$'\xa6\xa7\xa8\xa9']/?}
}

# Sets `left` (in the caller) to a duration as the prompt shows it: 2h05m, 42m, 59s.
__awsenv_duration() {
  if (($1 >= 3600)); then
    \builtin printf -v left '%dh%02dm' $(($1 / 3600)) $(($1 % 3600 / 60))
  elif (($1 >= 60)); then
    left=$(($1 / 60))m
  else
    left=$1s
  fi
}

# When the credentials enter their refresh window, get new ones through `awsenv use`, which
# never asks anything with --non-interactive (exit 3: it would need an MFA code or a login).
# On failure the variables stay, the prompt shows the mark, one line says what to do, and the
# next attempt waits a minute.
__awsenv_refresh() {
  # Quoted: `\builtin local` is not a declaration keyword to bash, so its words are split.
  \builtin local now="$1" refresh_at="${AWSENV_REFRESH_AT-}" profile="${AWSENV_PROFILE-}"
  [[ ${AWSENV_AUTO_REFRESH-} != 0 && -n $profile ]] || \builtin return 0
  case $refresh_at in '' | *[!0-9]*) \builtin return 0 ;; esac
  ((${#refresh_at} <= 18 && now >= 10#$refresh_at && now >= __awsenv_retry_at)) ||
    \builtin return 0
  __awsenv_retry_at=$((now + 60))
  \builtin local session="$profile ${AWSENV_EXPIRES-}" code=0
  \builtin local -a args
  args=(use "$profile" --non-interactive)
  [[ -z ${AWS_REGION-} ]] || args+=(--region "$AWS_REGION")
  # A session made with --duration is renewed with the same length.
  [[ -z ${AWSENV_DURATION-} ]] || args+=(--duration "$AWSENV_DURATION")
  __awsenv_apply "${args[@]}" 2>/dev/null || code=$?
  ((code != 0)) && [[ $__awsenv_hinted != "$session" ]] || \builtin return 0
  __awsenv_hinted=$session
  __awsenv_printable "$profile"
  \builtin local shown="$__awsenv_text" quoted when='have expired' left expires
  \builtin printf -v quoted '%q' "$shown"
  expires=${AWSENV_EXPIRES-}
  case $expires in '' | *[!0-9]*) expires=0 ;; esac
  if ((${#expires} <= 18 && 10#$expires > now)); then
    __awsenv_duration $((10#$expires - now))
    when="expire in $left"
  fi
  if ((code == 3)); then
    \builtin printf 'awsenv: the credentials of %s %s; refreshing them needs you: %s\n' \
      "$shown" "$when" "run \`awsenv use $quoted\`" >&2
  else
    \builtin printf 'awsenv: the credentials of %s %s and could not be refreshed: %s\n' \
      "$shown" "$when" "\`awsenv use $quoted\` says why" >&2
  fi
}

# AWSENV_PROMPT from the exported AWSENV_* variables and the shell's clock. The rules (the same
# as `awsenv prompt`, see PromptSegment.swift): words of AWSENV_PROMPT_FORMAT with %p profile,
# %i identity, %r region, %t time left, %% percent; a word whose placeholders are all empty is
# left out. Colour codes sit between \001 and \002, which readline counts as zero width.
__awsenv_segment() {
  \builtin local now="$1" profile="${AWSENV_PROFILE-}"
  if [[ -z $profile ]]; then
    AWSENV_PROMPT=
    __awsenv_segment_for=
    \builtin return 0
  fi
  \builtin local identity="${AWSENV_IDENTITY-}" region="${AWS_REGION:-${AWS_DEFAULT_REGION-}}"
  \builtin local expires="${AWSENV_EXPIRES-}" refresh_at="${AWSENV_REFRESH_AT-}" left='' color=1
  [[ -z ${NO_COLOR-} && ${TERM-} != dumb ]] || color=0
  case $expires in '' | *[!0-9]*) expires='' ;; esac
  case $refresh_at in '' | *[!0-9]*) refresh_at='' ;; esac
  ((${#expires} <= 18)) || expires=''
  ((${#refresh_at} <= 18)) || refresh_at=''
  if [[ -n $expires ]]; then
    \builtin local -i seconds="$((10#$expires - now))"
    if ((seconds <= 0)); then
      left=expired
      ((color == 0)) || left=$'\001\e[31m\002expired\001\e[39m\002'
    else
      __awsenv_duration "$seconds"
      if [[ -n $refresh_at ]] && ((now >= 10#$refresh_at)); then
        if ((color)); then left=$'\001\e[33m\002'$left$'\001\e[39m\002'; else left+='!'; fi
      fi
    fi
  fi
  \builtin local format="${AWSENV_PROMPT_FORMAT:-aws:%p (%i) %r %t}" out='' word expanded value
  # The time left (with its mark) is the only input that changes by itself, once a minute.
  \builtin local inputs="$profile"$'\n'"$identity"$'\n'"$region"$'\n'"$left"$'\n'"$format"
  [[ $inputs != "$__awsenv_segment_for" ]] || \builtin return 0
  __awsenv_segment_for=$inputs
  __awsenv_printable "$profile"
  profile=$__awsenv_text
  __awsenv_printable "$identity"
  identity=$__awsenv_text
  __awsenv_printable "$region"
  region=$__awsenv_text

  if [[ $format == 'aws:%p (%i) %r %t' ]]; then
    # The default format, built directly: what the loop below makes of it, in a third of the
    # time (the prompt that recomputes, once a minute, stays under 0.1 ms).
    out=aws:$profile
    [[ -z $identity ]] || out+=" ($identity)"
    [[ -z $region ]] || out+=" $region"
    [[ -z $left ]] || out+=" $left"
    AWSENV_PROMPT=$out
    \builtin return 0
  fi

  \builtin local -i placeholders filled first=1
  while :; do
    word=${format%%' '*}
    expanded='' placeholders=0 filled=0
    while [[ $word == *%* ]]; do
      expanded+=${word%%'%'*}
      word=${word#*'%'}
      case ${word:0:1} in
      p) value=$profile ;;
      i) value=$identity ;;
      r) value=$region ;;
      t) value=$left ;;
      %)
        expanded+=%
        word=${word:1}
        \builtin continue
        ;;
      *)
        expanded+=%
        \builtin continue
        ;;
      esac
      word=${word:1}
      placeholders+=1
      [[ -z $value ]] || filled+=1
      expanded+=$value
    done
    expanded+=$word
    if ((placeholders == 0 || filled > 0)); then
      ((first)) || out+=' '
      out+=$expanded
      first=0
    fi
    [[ $format == *' '* ]] || \builtin break
    format=${format#*' '}
  done
  AWSENV_PROMPT=$out
}

# Runs before each prompt (first in PROMPT_COMMAND), keeping $? for the prompt and for the
# commands after it. The clock is bash 5's EPOCHSECONDS, else printf's %(%s)T: no fork.
__awsenv_precmd() {
  \builtin local -i __awsenv_status="$?" __awsenv_now
  if [[ -n ${EPOCHSECONDS-} ]]; then
    __awsenv_now=$EPOCHSECONDS
  else
    \builtin printf -v __awsenv_now '%(%s)T' -1
  fi
  [[ -z ${AWSENV_PROFILE-} ]] || __awsenv_refresh "$__awsenv_now"
  __awsenv_segment "$__awsenv_now"
  \builtin return "$__awsenv_status"
}

if [[ ${PROMPT_COMMAND-} != *__awsenv_precmd* ]]; then
  PROMPT_COMMAND="__awsenv_precmd${PROMPT_COMMAND:+;$PROMPT_COMMAND}"
fi

# Completions, when nothing else provides them (not installed where bash-completion looks):
# generated by this binary, so they match it. Interactive shells only; one run at load.
if [[ $- == *i* ]] && ! \builtin complete -p awsenv &>/dev/null; then
  # bash-completion loads installed files lazily: ask its loader (2.12: _comp_load) first.
  if ! { \builtin declare -F _comp_load &>/dev/null && _comp_load awsenv &>/dev/null; } &&
    ! { \builtin declare -F __load_completion &>/dev/null &&
      __load_completion awsenv &>/dev/null; }; then
    \builtin eval -- "$("$__awsenv_bin" --generate-completion-script bash 2>/dev/null)"
  fi
fi
