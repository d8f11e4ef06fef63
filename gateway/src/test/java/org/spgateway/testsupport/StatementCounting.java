package org.spgateway.testsupport;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import javax.sql.DataSource;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;

/**
 * Test-only Spring configuration (for {@link GatewayServer#startWith}) that records every SQL statement and
 * commit the gateway sends to PostgreSQL through its DataSource, with the thread that sent it: a test can
 * then count what one request cost on its Tomcat thread, or one delivery on the outbox's threads. A
 * statement run outside a transaction (auto-commit) is counted as a commit too, since PostgreSQL commits
 * it on its own. Nothing is recorded until the first {@link #reset}.
 *
 * <p>Deliberately not a {@code @Configuration}: component scanning would then wrap the DataSource of every
 * test gateway; it is only ever passed to {@link GatewayServer#startWith}.
 */
public class StatementCounting {

	/** One statement or commit, in the order sent. */
	public record Sent(String thread, String sql, boolean commit) {}

	private static final List<Sent> SENT = new ArrayList<>();
	private static volatile boolean recording;

	/** Forgets everything recorded so far, and records from now on. */
	public static void reset() {
		synchronized (SENT) {
			SENT.clear();
			recording = true;
		}
	}

	/** What threads whose names pass {@code threads} sent since the last reset. */
	public static List<Sent> sentBy(Predicate<String> threads) {
		synchronized (SENT) {
			return SENT.stream().filter(s -> threads.test(s.thread())).toList();
		}
	}

	/** Statements (not commits) among {@code sent}. */
	public static List<String> statements(List<Sent> sent) {
		return sent.stream().filter(s -> s.sql() != null).map(Sent::sql).toList();
	}

	/** Commits among {@code sent}: explicit ones and statements run in auto-commit. */
	public static long commits(List<Sent> sent) {
		return sent.stream().filter(Sent::commit).count();
	}

	/** Tomcat's request threads. */
	public static boolean requestThread(String name) {
		return name.startsWith("http-nio-");
	}

	private static void record(String sql, boolean commit) {
		if (!recording) {
			return;
		}
		synchronized (SENT) {
			SENT.add(new Sent(Thread.currentThread().getName(), sql, commit));
		}
	}

	@Bean
	static BeanPostProcessor statementCountingDataSource() {
		return new BeanPostProcessor() {
			@Override
			public Object postProcessAfterInitialization(Object bean, String beanName) {
				if (bean instanceof DataSource dataSource && !(Proxy.isProxyClass(bean.getClass()))) {
					return proxy(DataSource.class, dataSource, (target, method, args) -> {
						Object result = method.invoke(target, args);
						return result instanceof Connection c ? connection(c) : result;
					});
				}
				return bean;
			}
		};
	}

	private static Connection connection(Connection connection) {
		return proxy(Connection.class, connection, (target, method, args) -> {
			Object result = method.invoke(target, args);
			if (method.getName().equals("commit")) {
				record(null, true);
			}
			if (result instanceof PreparedStatement ps && method.getName().startsWith("prepare")) {
				String sql = (String) args[0];
				return proxy(PreparedStatement.class, ps, (st, m, a) -> {
					if (m.getName().startsWith("execute")) {
						record(sql, connection.getAutoCommit());
					}
					return m.invoke(st, a);
				});
			}
			if (result instanceof Statement st && method.getName().equals("createStatement")) {
				return proxy(Statement.class, st, (s, m, a) -> {
					if (m.getName().startsWith("execute")) {
						record(a != null && a.length > 0 ? String.valueOf(a[0]) : "?", connection.getAutoCommit());
					}
					return m.invoke(s, a);
				});
			}
			return result;
		});
	}

	private interface Handler<T> {
		Object invoke(T target, Method method, Object[] args) throws Throwable;
	}

	@SuppressWarnings("unchecked")
	private static <T> T proxy(Class<T> type, T target, Handler<T> handler) {
		InvocationHandler invocation = (p, method, args) -> {
			try {
				return handler.invoke(target, method, args);
			} catch (InvocationTargetException e) {
				throw e.getCause();
			}
		};
		return (T) Proxy.newProxyInstance(StatementCounting.class.getClassLoader(), new Class<?>[] {type}, invocation);
	}
}
