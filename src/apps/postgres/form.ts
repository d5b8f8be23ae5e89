/**
 * The form the web UI renders for the `postgres` app.
 */
import type { AppForm } from "../../app-sdk/form.js";
import { SSL_MODES } from "./auth.js";

/** Credential (auth type `basic`) and workflow config steps. */
export const postgresForm: AppForm = {
  credential: {
    basic: [
      {
        id: "connection",
        title: "Connection",
        fields: [
          {
            name: "host",
            label: "Host",
            type: "text",
            required: true,
            secret: false,
            placeholder: "db.example.com",
            help: "Host name or IP address, without scheme or port.",
          },
          { name: "port", label: "Port", type: "number", required: false, secret: false, default: 5432 },
          {
            name: "database",
            label: "Database",
            type: "text",
            required: false,
            secret: false,
            default: "postgres",
            help: "Database to connect to first.",
          },
          {
            name: "extra.sslmode",
            label: "TLS mode",
            type: "select",
            required: false,
            secret: false,
            default: "prefer",
            options: SSL_MODES.map((m) => ({ value: m, label: m })),
            help: "As libpq's sslmode: prefer tries TLS and falls back; verify-full checks the certificate and host name.",
          },
          {
            name: "extra.sslrootcert",
            label: "CA certificate (PEM)",
            type: "textarea",
            required: false,
            secret: false,
            help: "For verify-full with a private CA.",
          },
          {
            name: "extra.connect_timeout",
            label: "Connect timeout (s)",
            type: "number",
            required: false,
            secret: false,
            default: 10,
          },
        ],
      },
      {
        id: "credentials",
        title: "Credentials",
        fields: [
          { name: "username", label: "User", type: "text", required: true, secret: false },
          {
            name: "password",
            label: "Password",
            type: "password",
            required: true,
            secret: true,
            help: "Stored encrypted; never shown again.",
          },
        ],
      },
    ],
  },
  config: [
    {
      id: "filters",
      title: "Metadata filters",
      description:
        'Patterns database.schema; * matches any characters, ? one; quote names with dots: "my.db".public',
      fields: [
        {
          name: "include",
          label: "Include",
          type: "list",
          required: false,
          secret: false,
          help: "Empty: everything. Example: sales.*",
        },
        {
          name: "exclude",
          label: "Exclude",
          type: "list",
          required: false,
          secret: false,
          help: "Example: *.tmp_*  (db.* skips a whole database)",
        },
        {
          name: "all_databases",
          label: "All databases",
          type: "checkbox",
          required: false,
          secret: false,
          default: false,
          help: "Visit every database the user can connect to, not only the credential's database.",
        },
      ],
    },
  ],
};
