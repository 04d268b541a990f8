function __awsenv_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __awsenv_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __awsenv_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __awsenv_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __awsenv_parse_tokens -S
    set -l unparsed_tokens (__awsenv_tokens -pc)
    switch $unparsed_tokens[1]
    case 'awsenv'
        __awsenv_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'use'
            __awsenv_parse_subcommand 1 'region=' 'mfa-code=' 'refresh' 'saml-assertion=' 'duration=' 'role-arn=' 'source-profile=' 'external-id=' 'role-session-name=' 'non-interactive' 'debug' 'version' 'h/help'
        case 'clear'
            __awsenv_parse_subcommand 0 'debug' 'version' 'h/help'
        case 'exec'
            __awsenv_parse_subcommand -r 2 'region=' 'mfa-code=' 'refresh' 'saml-assertion=' 'duration=' 'server' 'role-arn=' 'source-profile=' 'external-id=' 'role-session-name=' 'debug' 'version' 'h/help'
        case 'export'
            __awsenv_parse_subcommand 1 'format=' 'region=' 'mfa-code=' 'refresh' 'saml-assertion=' 'duration=' 'role-arn=' 'source-profile=' 'external-id=' 'role-session-name=' 'debug' 'version' 'h/help'
        case 'credential-process'
            __awsenv_parse_subcommand 1 'duration=' 'debug' 'version' 'h/help'
        case 'add'
            __awsenv_parse_subcommand 1 'env' 'debug' 'version' 'h/help'
        case 'whoami'
            __awsenv_parse_subcommand 0 'profile=' 'region=' 'json' 'debug' 'version' 'h/help'
        case 'status'
            __awsenv_parse_subcommand 0 'json' 'debug' 'version' 'h/help'
        case 'console'
            __awsenv_parse_subcommand 1 'stdout' 's/service=' 'destination=' 'region=' 'container=' 'mfa-code=' 'refresh' 'saml-assertion=' 'duration=' 'debug' 'version' 'h/help'
        case 'serve'
            __awsenv_parse_subcommand 1 'port=' 'listen=' 'region=' 'mfa-code=' 'refresh' 'saml-assertion=' 'duration=' 'debug' 'version' 'h/help'
        case 'login'
            __awsenv_parse_subcommand 1 'sso-session=' 'no-browser' 'force' 'debug' 'version' 'h/help'
        case 'logout'
            __awsenv_parse_subcommand 1 'sso-session=' 'debug' 'version' 'h/help'
        case 'sso'
            __awsenv_parse_subcommand 0 'version' 'h/help'
            switch $unparsed_tokens[1]
            case 'sync'
                __awsenv_parse_subcommand 0 'sso-session=' 'prune' 'template=' 'region=' 'debug' 'version' 'h/help'
            end
        case 'import'
            __awsenv_parse_subcommand -r 1 'remove-plaintext' 'sso-cache' 'debug' 'version' 'h/help'
        case 'rotate'
            __awsenv_parse_subcommand 1 'mfa-code=' 'region=' 'debug' 'version' 'h/help'
        case 'list'
            __awsenv_parse_subcommand 0 'json' 'debug' 'version' 'h/help'
        case 'remove'
            __awsenv_parse_subcommand 1 'sessions-only' 'debug' 'version' 'h/help'
        case 'init'
            __awsenv_parse_subcommand 1 'version' 'h/help'
        case 'doctor'
            __awsenv_parse_subcommand 0 'debug' 'version' 'h/help'
        case 'prompt'
            __awsenv_parse_subcommand 0 'format=' 'color=' 'version' 'h/help'
        case 'pick'
            __awsenv_parse_subcommand 0 'version' 'h/help'
        case 'help'
            __awsenv_parse_subcommand -r 1 'version'
        end
    end
end

function __awsenv_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __awsenv_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __awsenv_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __awsenv_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__awsenv_tokens -p)
    if test -z "$(__awsenv_tokens -t)"
        set -l index (count (__awsenv_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'awsenv' -f
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'use' -d 'Switch this shell to a profile\'s credentials.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'clear' -d 'Give this shell back the AWS variables it had before the first `awsenv use`.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'exec' -d 'Run a command with a profile\'s credentials in its environment.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'export' -d 'Print a profile\'s credentials as shell variables, JSON or credential_process JSON.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'credential-process' -d 'Print a profile\'s credentials for an SDK\'s credential_process.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'add' -d 'Store a profile\'s access keys in the keyring.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'whoami' -d 'Show the account and identity of the credentials in this shell (or a profile).'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'status' -d 'Show this shell\'s profile, the IAM Identity Center sign-ins and cached sessions.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'console' -d 'Open the AWS Management Console signed in as a profile.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'serve' -d 'Serve a profile\'s credentials to other processes until Ctrl-C.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'login' -d 'Sign in to IAM Identity Center; the token goes to the keyring.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'logout' -d 'Sign out of IAM Identity Center and delete the token and its role sessions.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'sso' -d 'IAM Identity Center: write profiles for the accounts and roles you have.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'import' -d 'Move long-lived keys, or IAM Identity Center tokens, into the keyring.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'rotate' -d 'Replace a profile\'s access key: a new one in IAM and the keyring, the old deleted.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'list' -d 'List profiles: their kind, where their keys are, and cached sessions.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'remove' -d 'Delete a profile\'s keys and cached sessions from the keyring.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'init' -d 'Print the shell hook that defines the `awsenv` function.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'doctor' -d 'Check the D-Bus session, the keyring, the config files and the shell hook.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'prompt' -d 'Print the prompt segment, for prompt frameworks that run a command.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'pick' -d 'Choose a profile on the terminal and print its name.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv use" -eq 1' -fka '(__awsenv_custom_completion ---completion use -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" region' -l 'region' -d 'Set AWS_REGION and AWS_DEFAULT_REGION to this region (and call STS there).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" mfa-code' -l 'mfa-code' -d 'The current code of the MFA device (six digits).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" refresh' -l 'refresh' -d 'Get new credentials even if a cached session is still valid.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" saml-assertion' -l 'saml-assertion' -d 'A SAML assertion for a SAML profile: a file with the base64 SAMLResponse or the XML, or - for stdin. Never stored.' -rF
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" duration' -l 'duration' -d 'The session length (900, 15m, 1h, 12h), over the profile\'s duration_seconds; clamped to what AWS allows.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" role-arn' -l 'role-arn' -d 'Assume this role (arn:aws:iam::ACCOUNT:role/NAME), which no profile needs to name, with the source profile\'s credentials.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" source-profile' -l 'source-profile' -d 'The profile whose credentials assume --role-arn (default: the profile argument, else this shell\'s profile).' -rfka '(__awsenv_custom_completion ---completion use -- --source-profile)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" external-id' -l 'external-id' -d 'The external id the role\'s trust policy asks for.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" role-session-name' -l 'role-session-name' -d 'The role session name (default: your user name).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" non-interactive' -l 'non-interactive' -d 'Never ask anything (the prompt hook\'s refresh): exit 3 if an MFA code, a SAML assertion or a login is needed.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv use" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv clear" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv clear" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv clear" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv exec" -eq 1' -fka '(__awsenv_custom_completion ---completion exec -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" region' -l 'region' -d 'Set AWS_REGION and AWS_DEFAULT_REGION to this region.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" mfa-code' -l 'mfa-code' -d 'The current code of the MFA device (six digits).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" refresh' -l 'refresh' -d 'Get new credentials even if a cached session is still valid.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" saml-assertion' -l 'saml-assertion' -d 'A SAML assertion for a SAML profile: a file with the base64 SAMLResponse or the XML, or - for stdin. Never stored.' -rF
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" duration' -l 'duration' -d 'The session length (900, 15m, 1h, 12h), over the profile\'s duration_seconds; clamped to what AWS allows.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" server' -l 'server' -d 'Serve the credentials to the command from a local endpoint that renews them.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" role-arn' -l 'role-arn' -d 'Assume this role (arn:aws:iam::ACCOUNT:role/NAME), which no profile needs to name, with the source profile\'s credentials.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" source-profile' -l 'source-profile' -d 'The profile whose credentials assume --role-arn (default: the profile argument, else this shell\'s profile).' -rfka '(__awsenv_custom_completion ---completion exec -- --source-profile)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" external-id' -l 'external-id' -d 'The external id the role\'s trust policy asks for.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" role-session-name' -l 'role-session-name' -d 'The role session name (default: your user name).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv exec" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv export" -eq 1' -fka '(__awsenv_custom_completion ---completion export -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" format' -l 'format' -d 'Output format.' -rfka 'env fish json process'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" region' -l 'region' -d 'Region to include (default: the profile\'s, else the shell\'s).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" mfa-code' -l 'mfa-code' -d 'The current code of the MFA device (six digits).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" refresh' -l 'refresh' -d 'Get new credentials even if a cached session is still valid.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" saml-assertion' -l 'saml-assertion' -d 'A SAML assertion for a SAML profile: a file with the base64 SAMLResponse or the XML, or - for stdin. Never stored.' -rF
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" duration' -l 'duration' -d 'The session length (900, 15m, 1h, 12h), over the profile\'s duration_seconds; clamped to what AWS allows.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" role-arn' -l 'role-arn' -d 'Assume this role (arn:aws:iam::ACCOUNT:role/NAME), which no profile needs to name, with the source profile\'s credentials.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" source-profile' -l 'source-profile' -d 'The profile whose credentials assume --role-arn (default: the profile argument, else this shell\'s profile).' -rfka '(__awsenv_custom_completion ---completion export -- --source-profile)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" external-id' -l 'external-id' -d 'The external id the role\'s trust policy asks for.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" role-session-name' -l 'role-session-name' -d 'The role session name (default: your user name).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv export" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv credential-process" -eq 1' -fka '(__awsenv_custom_completion ---completion credential-process -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv credential-process" duration' -l 'duration' -d 'The session length (900, 15m, 1h, 12h), over the profile\'s duration_seconds; clamped to what AWS allows.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv credential-process" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv credential-process" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv credential-process" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv add" -eq 1' -fka '(__awsenv_custom_completion ---completion add -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv add" env' -l 'env' -d 'Read the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv add" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv add" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv add" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv whoami" profile' -l 'profile' -d 'Use this profile\'s credentials instead of the environment\'s.' -rfka '(__awsenv_custom_completion ---completion whoami -- --profile)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv whoami" region' -l 'region' -d 'Call STS in this region.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv whoami" json' -l 'json' -d 'Print JSON, as `aws sts get-caller-identity` does.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv whoami" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv whoami" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv whoami" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv status" json' -l 'json' -d 'Print one JSON object (times in RFC 3339).'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv status" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv status" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv console" -eq 1' -fka '(__awsenv_custom_completion ---completion console -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" stdout' -l 'stdout' -d 'Print the sign-in URL on stdout; open nothing.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" s service' -s 's' -l 'service' -d 'Open this service\'s page (s3, ec2, iam and so on).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" destination' -l 'destination' -d 'Open this page: an https URL, or a path on the console (/iam/home#/users).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" region' -l 'region' -d 'The console\'s region (default: the profile\'s, else the shell\'s).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" container' -l 'container' -d 'Open the URL in this Firefox container (needs the \'Open external links in a container\' add-on).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" mfa-code' -l 'mfa-code' -d 'The current code of the MFA device (six digits).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" refresh' -l 'refresh' -d 'Get new credentials even if a cached session is still valid.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" saml-assertion' -l 'saml-assertion' -d 'A SAML assertion for a SAML profile: a file with the base64 SAMLResponse or the XML, or - for stdin. Never stored.' -rF
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" duration' -l 'duration' -d 'The session length (900, 15m, 1h, 12h), over the profile\'s duration_seconds; clamped to what AWS allows.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv console" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv serve" -eq 1' -fka '(__awsenv_custom_completion ---completion serve -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" port' -l 'port' -d 'The port to listen on (default: any free port).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" listen' -l 'listen' -d 'Listen on this IPv4 address instead of 127.0.0.1 (e.g. a Docker bridge\'s). Anyone who can reach it and has the token gets the credentials.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" region' -l 'region' -d 'The region to call STS in (default: the profile\'s, else the shell\'s).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" mfa-code' -l 'mfa-code' -d 'The current code of the MFA device (six digits).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" refresh' -l 'refresh' -d 'Get new credentials even if a cached session is still valid.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" saml-assertion' -l 'saml-assertion' -d 'A SAML assertion for a SAML profile: a file with the base64 SAMLResponse or the XML, or - for stdin. Never stored.' -rF
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" duration' -l 'duration' -d 'The session length (900, 15m, 1h, 12h), over the profile\'s duration_seconds; clamped to what AWS allows.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv serve" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv login" -eq 1' -fka '(__awsenv_custom_completion ---completion login -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv login" sso-session' -l 'sso-session' -d 'An [sso-session] of the config.' -rfka '(__awsenv_custom_completion ---completion login -- --sso-session)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv login" no-browser' -l 'no-browser' -d 'Do not open a browser; print the URL only.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv login" force' -l 'force' -d 'Sign in with the browser even when the token can be renewed.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv login" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv login" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv login" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv logout" -eq 1' -fka '(__awsenv_custom_completion ---completion logout -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv logout" sso-session' -l 'sso-session' -d 'An [sso-session] of the config.' -rfka '(__awsenv_custom_completion ---completion logout -- --sso-session)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv logout" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv logout" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv logout" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv sso" -eq 1' -fa 'sync' -d 'Write one profile per account and role of an sso-session into ~/.aws/config.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso sync" sso-session' -l 'sso-session' -d 'The [sso-session] to sync (default: the only one in the config).' -rfka '(__awsenv_custom_completion ---completion sso sync -- --sso-session)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso sync" prune' -l 'prune' -d 'Remove profiles from the block whose account or role you no longer have.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso sync" template' -l 'template' -d 'How to name the profiles.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso sync" region' -l 'region' -d 'Write `region = REGION` into each profile.' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso sync" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso sync" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv sso sync" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv import" -ge 1' -fka '(__awsenv_custom_completion ---completion import -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv import" remove-plaintext' -l 'remove-plaintext' -d 'Remove the imported key lines from the credentials file (or the token files).'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv import" sso-cache' -l 'sso-cache' -d 'Import IAM Identity Center tokens from ~/.aws/sso/cache instead of keys.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv import" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv import" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv rotate" -eq 1' -fka '(__awsenv_custom_completion ---completion rotate -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv rotate" mfa-code' -l 'mfa-code' -d 'The current code of the MFA device (six digits).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv rotate" region' -l 'region' -d 'Call STS in this region (IAM is called in its partition\'s global endpoint).' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv rotate" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv rotate" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv rotate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv list" json' -l 'json' -d 'Print JSON.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv list" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv list" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv list" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv remove" -eq 1' -fka '(__awsenv_custom_completion ---completion remove -- positional@0)'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv remove" sessions-only' -l 'sessions-only' -d 'Delete only the cached temporary sessions, keep the keys.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv remove" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv remove" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv remove" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_positional "awsenv init" -eq 1' -fka 'bash zsh fish'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv init" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv doctor" debug' -l 'debug' -d 'Log each step on stderr (files, keyring calls, HTTP, cache, locks); secrets masked.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv doctor" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv prompt" format' -l 'format' -d 'The format (default: AWSENV_PROMPT_FORMAT, else "aws:%p (%i) %r %t").' -rfka ''
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv prompt" color' -l 'color' -d 'Colour the expiring and expired marks: auto (when stdout is a terminal and NO_COLOR is unset), always or never.' -rfka 'auto always never'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv prompt" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv prompt" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv pick" version' -l 'version' -d 'Show the version.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv pick" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'awsenv' -n '__awsenv_should_offer_completions_for_flags_or_options "awsenv help" version' -l 'version' -d 'Show the version.'
