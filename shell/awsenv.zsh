# awsenv hook for zsh. Load it from ~/.zshrc with:
#   eval "$(awsenv init zsh)"
# It defines the function `awsenv`: `awsenv use` and `awsenv clear` change this shell's
# variables; every other subcommand runs the binary as it is. Before each prompt it keeps the
# prompt segment in AWSENV_PROMPT (with `setopt prompt_subst`, put
# ${AWSENV_PROMPT:+$AWSENV_PROMPT } in PROMPT) and refreshes credentials that are about to
# expire, without a fork unless a refresh is due. Safe to load twice.

typeset -g __awsenv_bin=@AWSENV_BIN@
# The variables as they were before the first `awsenv use` in this shell (kept on reload).
typeset -g __awsenv_saved=${__awsenv_saved-}
# The profile this shell used before the current one, for `awsenv use -` (kept on reload).
typeset -g __awsenv_previous=${__awsenv_previous-}
# The prompt segment: a shell variable, not exported.
typeset -g AWSENV_PROMPT=${AWSENV_PROMPT-}
# Automatic refresh: no attempt before this time (Unix seconds), and the session (profile and
# expiry) whose failure was already reported, so the hint is printed once, not on every prompt.
typeset -g __awsenv_retry_at=${__awsenv_retry_at-0}
[[ $__awsenv_retry_at == <-> ]] || __awsenv_retry_at=0
typeset -g __awsenv_hinted=${__awsenv_hinted-}
# What the segment was computed from: a prompt where none of it changed reuses AWSENV_PROMPT.
typeset -g __awsenv_segment_for=
# The clock without a fork: EPOCHSECONDS from zsh/datetime (else the prompt escape %D{%s}).
zmodload -F zsh/datetime p:EPOCHSECONDS 2>/dev/null

# Runs the binary for `use`/`clear`. It prints shell code only when it succeeds, as one block:
# evaluate it only then.
__awsenv_apply() {
  \builtin emulate -L zsh
  \builtin local __awsenv_code
  __awsenv_code=$(AWSENV_SHELL=zsh AWSENV_SAVED=$__awsenv_saved \
    AWSENV_PREVIOUS=$__awsenv_previous "$__awsenv_bin" "$@") || \builtin return
  \builtin eval "$__awsenv_code"
}

awsenv() {
  \builtin emulate -L zsh
  case ${1-} in
  use | clear)
    __awsenv_apply "$@"
    ;;
  *)
    AWSENV_SHELL=zsh "$__awsenv_bin" "$@"
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
  \builtin local -i byte
  __awsenv_text=${1//[[:cntrl:]]/?}
  # One byte at a time: zsh keeps bytes 0x83-0x9d in a special form that a bracket
  # expression does not match.
  for byte in {128..159}; do
    __awsenv_text=${__awsenv_text//$'\xc2'${(#)byte}/?}
  done
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
  \builtin emulate -L zsh
  \builtin local now=$1 refresh_at=${AWSENV_REFRESH_AT-} profile=${AWSENV_PROFILE-}
  [[ ${AWSENV_AUTO_REFRESH-} != 0 && -n $profile ]] || \builtin return 0
  [[ $refresh_at == <-> && ${#refresh_at} -le 18 ]] || \builtin return 0
  ((now >= 10#$refresh_at && now >= __awsenv_retry_at)) || \builtin return 0
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
  \builtin local shown=$__awsenv_text when='have expired' left
  \builtin local expires=${AWSENV_EXPIRES-}
  [[ $expires == <-> && ${#expires} -le 18 ]] || expires=0
  if ((10#$expires > now)); then
    __awsenv_duration $((10#$expires - now))
    when="expire in $left"
  fi
  if ((code == 3)); then
    \builtin print -ru2 -- "awsenv: the credentials of $shown $when;" \
      "refreshing them needs you: run \`awsenv use ${(q-)shown}\`"
  else
    \builtin print -ru2 -- "awsenv: the credentials of $shown $when and could not be" \
      "refreshed: \`awsenv use ${(q-)shown}\` says why"
  fi
}

# AWSENV_PROMPT from the exported AWSENV_* variables and the shell's clock. The rules (the same
# as `awsenv prompt`, see PromptSegment.swift): words of AWSENV_PROMPT_FORMAT with %p profile,
# %i identity, %r region, %t time left, %% percent; a word whose placeholders are all empty is
# left out. The segment is for a prompt_subst PROMPT: colour codes sit in %{ %} (zero width)
# and a % in a value is doubled (and a !, with PROMPT_BANG: the second argument is 1).
__awsenv_segment() {
  \builtin emulate -L zsh
  \builtin local now=$1 profile=${AWSENV_PROFILE-}
  if [[ -z $profile ]]; then
    AWSENV_PROMPT=
    __awsenv_segment_for=
    \builtin return 0
  fi
  \builtin local identity=${AWSENV_IDENTITY-} region=${AWS_REGION:-${AWS_DEFAULT_REGION-}}
  \builtin local expires=${AWSENV_EXPIRES-} refresh_at=${AWSENV_REFRESH_AT-} left='' color=1
  [[ -z ${NO_COLOR-} && ${TERM-} != dumb ]] || color=0
  [[ $expires == <-> && ${#expires} -le 18 ]] || expires=''
  [[ $refresh_at == <-> && ${#refresh_at} -le 18 ]] || refresh_at=''
  if [[ -n $expires ]]; then
    \builtin local -i seconds=$((10#$expires - now))
    if ((seconds <= 0)); then
      left=expired
      ((color == 0)) || left=$'%{\e[31m%}expired%{\e[39m%}'
    else
      __awsenv_duration $seconds
      if [[ -n $refresh_at ]] && ((now >= 10#$refresh_at)); then
        if ((color)); then left=$'%{\e[33m%}'$left$'%{\e[39m%}'; else left+='!'; fi
      fi
    fi
  fi
  \builtin local format=${AWSENV_PROMPT_FORMAT:-'aws:%p (%i) %r %t'} out='' word expanded value
  # The time left (with its mark) is the only input that changes by itself, once a minute.
  \builtin local inputs="$profile"$'\n'"$identity"$'\n'"$region"$'\n'"$left"
  inputs+=$'\n'"$format"$'\n'"${2:-0}"
  [[ $inputs != "$__awsenv_segment_for" ]] || \builtin return 0
  __awsenv_segment_for=$inputs
  __awsenv_printable "$profile"
  profile=${__awsenv_text//\%/%%}
  __awsenv_printable "$identity"
  identity=${__awsenv_text//\%/%%}
  __awsenv_printable "$region"
  region=${__awsenv_text//\%/%%}

  if [[ $format == 'aws:%p (%i) %r %t' ]]; then
    # The default format, built directly: what the loop below makes of it, in a fraction of
    # the time (the prompt that recomputes, once a minute, stays under 0.1 ms).
    out=aws:$profile
    [[ -z $identity ]] || out+=" ($identity)"
    [[ -z $region ]] || out+=" $region"
    [[ -z $left ]] || out+=" $left"
    ((${2:-0} == 0)) || out=${out//\!/!!}
    AWSENV_PROMPT=$out
    \builtin return 0
  fi

  \builtin local -i placeholders filled first=1
  while :; do
    word=${format%%' '*}
    expanded='' placeholders=0 filled=0
    while [[ $word == *%* ]]; do
      expanded+=${word%%\%*}
      word=${word#*\%}
      case ${word[1]-} in
      p) value=$profile ;;
      i) value=$identity ;;
      r) value=$region ;;
      t) value=$left ;;
      %)
        expanded+='%%'
        word=${word[2,-1]}
        \builtin continue
        ;;
      *)
        expanded+='%%'
        \builtin continue
        ;;
      esac
      word=${word[2,-1]}
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
  ((${2:-0} == 0)) || out=${out//\!/!!}
  AWSENV_PROMPT=$out
}

# Runs before each prompt (first in precmd_functions), keeping $? for the prompt.
__awsenv_precmd() {
  \builtin local -i __awsenv_status=$? bang=0
  # With PROMPT_BANG (off by default), a ! in the prompt is the history number: the segment
  # doubles its own.
  [[ ! -o prompt_bang ]] || bang=1
  \builtin emulate -L zsh
  \builtin local -i now
  if ((${+EPOCHSECONDS})); then
    now=$EPOCHSECONDS
  else
    \builtin local clock='%D{%s}'
    now=${(%)clock}
  fi
  [[ -z ${AWSENV_PROFILE-} ]] || __awsenv_refresh $now
  __awsenv_segment $now $bang
  \builtin return $__awsenv_status
}

typeset -ga precmd_functions
precmd_functions=(__awsenv_precmd ${precmd_functions:#__awsenv_precmd})

# Completions, when nothing else provides them (no _awsenv in fpath): generated by this binary,
# so they match it. Interactive shells only, after compinit; one run at load.
if [[ -o interactive ]] && ((${+functions[compdef]})) && [[ -z ${_comps[awsenv]-} ]]; then
  \builtin eval "$("$__awsenv_bin" --generate-completion-script zsh 2>/dev/null)"
fi
