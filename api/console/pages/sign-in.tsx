// The sign-in page: an API key in, a session cookie out. The key field is never filled back.
export function SignIn(props: { csrf: string; error?: string | undefined }) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Sign in · DCE console</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
      </head>
      <body>
        <main class="signin" id="content">
          <section class="card">
            <h1>Dependable Call Exchange</h1>
            <p class="muted">
              Sign in with your API key (operator, buyer or seller). The key stays on the server.
            </p>
            {props.error ? (
              <p class="flash error" role="alert">
                {props.error}
              </p>
            ) : null}
            <form method="post" action="/console/sign-in">
              <input type="hidden" name="_csrf" value={props.csrf} />
              <label>
                API key
                <input
                  type="password"
                  name="apiKey"
                  autocomplete="off"
                  required
                  autofocus
                  maxlength={200}
                  spellcheck={false}
                />
              </label>
              <button type="submit">Sign in</button>
            </form>
          </section>
        </main>
      </body>
    </html>
  );
}
